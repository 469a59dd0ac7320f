//! Identifier filters (id/mask) and hardware acceptance filters.
//!
//! An [`IdFilter`] accepts a frame when the formats agree and the id bits under the mask are
//! equal: `(frame ^ id) & mask == 0`. It is the matching rule of routes, permissions and
//! controller acceptance filters alike.
//!
//! [`compute_filters`] turns the set of ids a controller must receive into at most N id/mask
//! filters that accept every wanted id and as few others as it can: it starts from one exact
//! filter per id and greedily merges the pair whose merge admits the fewest new ids, absorbing
//! filters the merge covers. It works in a caller-provided buffer (no heap), so the configurator
//! and a target alike can run it.

use crate::frame::CanId;

/// Accepts ids of `id`'s format whose bits under `mask` equal `id`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IdFilter {
    pub id: CanId,
    /// Within the format's id bits (0x7FF or 0x1FFF_FFFF); bits above are ignored.
    pub mask: u32,
}

impl IdFilter {
    /// Accepts exactly `id`.
    pub const fn exact(id: CanId) -> Self {
        Self {
            id,
            mask: id.format_mask(),
        }
    }

    pub const fn new(id: CanId, mask: u32) -> Self {
        Self {
            id,
            mask: mask & id.format_mask(),
        }
    }

    /// Accepts every id of `id`'s format.
    pub const fn all_of_format(id: CanId) -> Self {
        Self { id, mask: 0 }
    }

    pub const fn is_exact(&self) -> bool {
        self.mask & self.id.format_mask() == self.id.format_mask()
    }

    pub const fn matches(&self, id: CanId) -> bool {
        id.is_extended() == self.id.is_extended()
            && (id.raw() ^ self.id.raw()) & self.mask & self.id.format_mask() == 0
    }

    /// Whether some id matches both filters.
    pub const fn overlaps(&self, other: &IdFilter) -> bool {
        self.id.is_extended() == other.id.is_extended()
            && (self.id.raw() ^ other.id.raw()) & self.mask & other.mask == 0
    }

    /// The ids both accept, if any: itself an id/mask filter.
    pub const fn intersect(&self, other: &IdFilter) -> Option<IdFilter> {
        if !self.overlaps(other) {
            return None;
        }
        let mask = (self.mask | other.mask) & self.id.format_mask();
        let raw = (self.id.raw() & self.mask) | (other.id.raw() & other.mask);
        let id = if self.id.is_extended() {
            CanId::extended(raw)
        } else {
            CanId::standard(raw as u16)
        };
        match id {
            Some(id) => Some(IdFilter { id, mask }),
            None => None,
        }
    }

    /// Whether every id `other` accepts, this accepts too.
    pub const fn covers(&self, other: &IdFilter) -> bool {
        self.id.is_extended() == other.id.is_extended()
            && self.mask & !other.mask & self.id.format_mask() == 0
            && (self.id.raw() ^ other.id.raw()) & self.mask == 0
    }

    /// How many ids it accepts.
    pub const fn accepted(&self) -> u64 {
        let free = (self.id.format_mask() & !self.mask).count_ones();
        1u64 << free
    }

    /// The smallest filter accepting everything both accept (formats must agree).
    pub const fn merge(&self, other: &IdFilter) -> Option<IdFilter> {
        if self.id.is_extended() != other.id.is_extended() {
            return None;
        }
        let mask =
            self.mask & other.mask & !(self.id.raw() ^ other.id.raw()) & self.id.format_mask();
        let raw = self.id.raw() & mask;
        let id = if self.id.is_extended() {
            CanId::extended(raw)
        } else {
            CanId::standard(raw as u16)
        };
        match id {
            Some(id) => Some(IdFilter { id, mask }),
            None => None,
        }
    }
}

/// Why no filter set could be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterError {
    /// No slots, or standard and extended ids wanted with a single slot.
    TooFewSlots,
    /// `work` must hold at least one entry per wanted id.
    WorkTooSmall,
}

/// Computes at most `slots` filters accepting every id of `wanted`, written to the front of
/// `work` (which must be at least `wanted.len()` long); returns how many. Standard and extended
/// ids never share a filter. Duplicates in `wanted` are fine. O(n³) in the number of ids: run
/// it at configuration time.
pub fn compute_filters(
    wanted: &[CanId],
    slots: usize,
    work: &mut [IdFilter],
) -> Result<usize, FilterError> {
    if wanted.is_empty() {
        return Ok(0);
    }
    if slots == 0 {
        return Err(FilterError::TooFewSlots);
    }
    if work.len() < wanted.len() {
        return Err(FilterError::WorkTooSmall);
    }
    let mut n = 0;
    for &id in wanted {
        let f = IdFilter::exact(id);
        if !work[..n].contains(&f) {
            work[n] = f;
            n += 1;
        }
    }
    while n > slots {
        // the merge that adds the fewest accepted ids over what the pair accepted
        let mut best: Option<(u64, usize, usize, IdFilter)> = None;
        for i in 0..n {
            for j in i + 1..n {
                if let Some(m) = work[i].merge(&work[j]) {
                    let cost = m
                        .accepted()
                        .saturating_sub(work[i].accepted() + work[j].accepted());
                    if best.is_none_or(|b| cost < b.0) {
                        best = Some((cost, i, j, m));
                    }
                }
            }
        }
        let Some((_, i, j, m)) = best else {
            // one filter per format left and a single slot
            return Err(FilterError::TooFewSlots);
        };
        // j > i: remove j first so i keeps its place
        work[j] = work[n - 1];
        n -= 1;
        work[i] = work[n - 1];
        n -= 1;
        // drop what the merged filter covers, then add it
        let mut k = 0;
        while k < n {
            if m.covers(&work[k]) {
                work[k] = work[n - 1];
                n -= 1;
            } else {
                k += 1;
            }
        }
        work[n] = m;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std(id: u16) -> CanId {
        CanId::standard(id).unwrap()
    }

    #[test]
    fn filter_matching() {
        let f = IdFilter::new(std(0x120), 0x7F0);
        assert!(f.matches(std(0x12F)) && !f.matches(std(0x130)));
        assert!(!f.matches(CanId::extended(0x120).unwrap()));
        assert_eq!(f.accepted(), 16);
        assert!(f.covers(&IdFilter::exact(std(0x125))));
        assert!(!IdFilter::exact(std(0x125)).covers(&f));
        let g = IdFilter::new(std(0x100), 0x700);
        assert_eq!(f.intersect(&g), Some(f));
        assert!(IdFilter::exact(std(1))
            .intersect(&IdFilter::exact(std(2)))
            .is_none());
    }

    fn check(wanted: &[CanId], slots: usize) -> (usize, u64) {
        let mut work = [IdFilter::exact(std(0)); 64];
        let n = compute_filters(wanted, slots, &mut work).unwrap();
        assert!(n <= slots);
        for id in wanted {
            assert!(work[..n].iter().any(|f| f.matches(*id)), "{id:?} rejected");
        }
        (n, work[..n].iter().map(|f| f.accepted()).sum())
    }

    #[test]
    fn wanted_ids_always_pass() {
        let ids: [CanId; 6] = [0x100, 0x101, 0x102, 0x103, 0x500, 0x7FF].map(std);
        assert_eq!(check(&ids, 6), (6, 6));
        // 0x100..=0x103 merge into one exact block of four
        assert_eq!(check(&ids, 3), (3, 6));
        let (n, accepted) = check(&ids, 2);
        assert_eq!(n, 2);
        assert!(accepted < 0x800);
        assert_eq!(check(&ids, 1).0, 1);
        let mixed = [std(1), CanId::extended(1).unwrap()];
        assert_eq!(check(&mixed, 2).1, 2);
        let mut work = [IdFilter::exact(std(0)); 2];
        assert_eq!(
            compute_filters(&mixed, 1, &mut work),
            Err(FilterError::TooFewSlots)
        );
        assert_eq!(
            compute_filters(&mixed, 1, &mut work[..1]),
            Err(FilterError::WorkTooSmall)
        );
    }

    #[test]
    fn many_random_sets() {
        let mut seed = 0x1234_5678_u64;
        for round in 0..200 {
            let mut ids = [std(0); 40];
            for id in ids.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *id = std((seed % 0x800) as u16);
            }
            check(&ids, 1 + round % 16);
        }
    }
}
