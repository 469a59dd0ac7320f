//! The SHORT-NAME path index and reference resolution.
//!
//! The index is hierarchical: (identifiable parent, hash of SHORT-NAME) -> node. Storing full
//! path strings would cost more memory than the tree itself on large files. Packages of the same
//! path in several files merge (AUTOSAR splits packages across files); any other repeated path
//! is a duplicate.

use std::hash::Hasher;

use crate::diag::Diagnostic;
use crate::source::SourceMap;
use crate::tree::{fnv, NodeId, Tree, NONE, TAG_AR_PACKAGE, TAG_SHORT_NAME};

/// Parent context of top-level packages.
const ROOT: u32 = NONE;

/// The key is already a hash; this only mixes its two halves (FxHash's step).
#[derive(Default)]
pub(crate) struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

#[derive(Debug, Default)]
pub(crate) struct PathIndex {
    map: Table,
    /// (context, node) pairs whose key collided with a different name; practically empty.
    overflow: Vec<(u32, u32)>,
}

/// Open-addressing table (context, 32-bit name hash) -> node, linear probing, sized once from
/// the number of SHORT-NAMEs at a load of at most 0.8 and any length (no power-of-two
/// rounding): 12 bytes a slot, about 15 an entry, where a std HashMap takes 13 a bucket with up
/// to twice the buckets.
#[derive(Debug, Default)]
struct Table {
    slots: Vec<[u32; 3]>,
    /// Nodes in the tree the table was built for.
    nodes: u32,
}

/// End of `ctx`'s subtree, or the end of the tree for the last subtree of a file (a bound is
/// enough here, and it stays O(depth)).
fn region_end(tree: &Tree, ctx: u32) -> u32 {
    let mut cur = ctx;
    loop {
        let Some(n) = tree.nodes.get(cur as usize) else {
            return tree.nodes.len() as u32;
        };
        if n.next_sibling != NONE {
            return n.next_sibling;
        }
        if n.parent == NONE {
            return tree.nodes.len() as u32;
        }
        cur = n.parent;
    }
}

impl Table {
    fn with_entries(n: usize, nodes: usize) -> Table {
        Table {
            slots: vec![[0, 0, NONE]; n + n / 4 + 1],
            nodes: nodes as u32,
        }
    }

    /// Home slot: a hash position inside the share of the table that is proportional to the
    /// context's subtree, so that the names of one context (and of its descendants) sit near
    /// each other. Building the index and resolving paths then mostly stay in cache.
    fn home(&self, tree: &Tree, ctx: u32, hash: u32) -> usize {
        let len = self.slots.len() as u64;
        let n = u64::from(self.nodes.max(1));
        let (lo, hi) = if ctx == ROOT || u64::from(ctx) >= n {
            (0, len)
        } else {
            let end = u64::from(region_end(tree, ctx)).min(n);
            (u64::from(ctx) * len / n, end * len / n)
        };
        let span = hi.saturating_sub(lo).max(1);
        let mut m = Mix::default();
        m.write_u32(hash);
        m.write_u32(ctx);
        (lo + (((m.finish() >> 32) * span) >> 32)).min(len - 1) as usize
    }

    /// Slot holding (ctx, hash), or the empty slot where it would go.
    fn probe(&self, tree: &Tree, ctx: u32, hash: u32) -> Option<usize> {
        let len = self.slots.len();
        if len == 0 {
            return None;
        }
        let mut i = self.home(tree, ctx, hash);
        for _ in 0..len {
            let [c, h, n] = self.slots[i];
            if n == NONE || (c == ctx && h == hash) {
                return Some(i);
            }
            i += 1;
            if i == len {
                i = 0;
            }
        }
        None
    }

    fn get(&self, tree: &Tree, key: &(u32, u32)) -> Option<&u32> {
        let i = self.probe(tree, key.0, key.1)?;
        let slot = &self.slots[i];
        (slot[2] != NONE).then_some(&slot[2])
    }

    /// Inserts unless the key is there; false when it was (or the table is full).
    fn insert_new(&mut self, tree: &Tree, key: (u32, u32), node: u32) -> bool {
        match self.probe(tree, key.0, key.1) {
            Some(i) if self.slots[i][2] == NONE => {
                self.slots[i] = [key.0, key.1, node];
                true
            }
            _ => false,
        }
    }
}

/// Why a path does not resolve.
pub(crate) struct Unresolved {
    /// Deepest node reached (the context in which `missing` was looked up); NONE at the top.
    pub found: u32,
    /// Number of segments that did resolve.
    pub depth: usize,
    /// The segment that was not found (empty for a malformed path).
    pub missing: String,
}

impl PathIndex {
    fn get(&self, tree: &Tree, src: &str, ctx: u32, name: &str) -> Option<u32> {
        let name_of = |n: u32| {
            tree.child(NodeId(n), TAG_SHORT_NAME)
                .map_or("", |s| tree.node_text(src, s))
        };
        let &n = self.map.get(tree, &(ctx, hash32(name)))?;
        if name_of(n) == name {
            return Some(n);
        }
        self.overflow
            .iter()
            .find(|&&(c, n)| c == ctx && name_of(n) == name)
            .map(|&(_, n)| n)
    }

    /// Resolves an absolute path `/A/B/C` whose parent path may be the one `memo` holds:
    /// references come in runs into the same package, and resolving the shared prefix again
    /// costs a probe and a name compare per segment in memory that is no longer cached.
    pub fn resolve_memo(
        &self,
        tree: &Tree,
        src: &str,
        path: &str,
        memo: &mut ParentMemo,
    ) -> Result<NodeId, Unresolved> {
        if let Some(last) = path
            .strip_prefix(memo.prefix.as_str())
            .and_then(|r| r.strip_prefix('/'))
        {
            if memo.ctx != ROOT && !last.is_empty() && !last.contains('/') {
                return match self.get(tree, src, memo.ctx, last) {
                    Some(n) => Ok(NodeId(n)),
                    None => Err(Unresolved {
                        found: memo.ctx,
                        depth: memo.depth,
                        missing: last.to_owned(),
                    }),
                };
            }
        }
        let (target, parent) = self.resolve_with_parent(tree, src, path)?;
        match path.rfind('/') {
            Some(cut) if cut > 0 && parent != ROOT => {
                memo.prefix.clear();
                memo.prefix.push_str(&path[..cut]);
                memo.ctx = parent;
                memo.depth = path[..cut].matches('/').count();
            }
            _ => memo.ctx = ROOT,
        }
        Ok(target)
    }

    /// Resolves an absolute path `/A/B/C`.
    pub fn resolve(&self, tree: &Tree, src: &str, path: &str) -> Result<NodeId, Unresolved> {
        self.resolve_with_parent(tree, src, path).map(|(n, _)| n)
    }

    /// The target and the context its last segment was found in.
    fn resolve_with_parent(
        &self,
        tree: &Tree,
        src: &str,
        path: &str,
    ) -> Result<(NodeId, u32), Unresolved> {
        let malformed = |found, depth| Unresolved {
            found,
            depth,
            missing: String::new(),
        };
        let Some(rest) = path.strip_prefix('/') else {
            return Err(malformed(ROOT, 0));
        };
        let mut ctx = ROOT;
        let mut parent = ROOT;
        for (depth, seg) in rest.split('/').enumerate() {
            if seg.is_empty() {
                return Err(malformed(ctx, depth));
            }
            match self.get(tree, src, ctx, seg) {
                Some(n) => {
                    parent = ctx;
                    ctx = n;
                }
                None => {
                    return Err(Unresolved {
                        found: ctx,
                        depth,
                        missing: seg.to_owned(),
                    })
                }
            }
        }
        if ctx == ROOT {
            Err(malformed(ROOT, 0))
        } else {
            Ok((NodeId(ctx), parent))
        }
    }
}

/// The last resolved parent path and its node, for [`PathIndex::resolve_memo`].
pub(crate) struct ParentMemo {
    prefix: String,
    /// Context of the names below `prefix`; ROOT when the memo holds nothing.
    ctx: u32,
    /// Segments in `prefix`.
    depth: usize,
}

impl Default for ParentMemo {
    fn default() -> Self {
        ParentMemo {
            prefix: String::new(),
            ctx: ROOT,
            depth: 0,
        }
    }
}

/// 32 bits of a name's hash: the key is (context, hash), so collisions need the same parent.
pub(crate) fn hash32(name: &str) -> u32 {
    let h = fnv(name);
    (h ^ (h >> 32)) as u32
}

/// SHORT-NAME of an identifiable node, if it is one.
pub(crate) fn short_name<'a>(tree: &'a Tree, src: &'a str, id: NodeId) -> Option<&'a str> {
    if !tree.node(id).is_named() {
        return None;
    }
    let s = tree.child(id, TAG_SHORT_NAME)?;
    Some(tree.node_text(src, s))
}

/// Builds the index over all nodes, in one loop with an explicit ancestor stack.
pub(crate) fn build_index(
    tree: &Tree,
    map: &SourceMap,
    element_path: impl Fn(NodeId) -> String,
    path_of: impl Fn(NodeId) -> Option<String>,
) -> (PathIndex, Vec<Diagnostic>) {
    let src = map.text.as_str();
    // Sized once from the number of SHORT-NAMEs: no rehash, no old+new table at the peak.
    let mut index = PathIndex {
        map: Table::with_entries(tree.name_hashes.len(), tree.nodes.len()),
        ..PathIndex::default()
    };
    // The reader hashed each SHORT-NAME while its text was in cache; taken in node order here,
    // so the names need not be read again (only on a collision, or for an empty name).
    let mut hashes = tree.name_hashes.iter().peekable();
    let empty = hash32("");
    let mut diags = Vec::new();
    // (node, context its children are named in)
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for (i, node) in tree.nodes.iter().enumerate() {
        let i = i as u32;
        while stack.last().is_some_and(|&(n, _)| n != node.parent) {
            stack.pop();
        }
        let ctx = stack.last().map_or(ROOT, |&(_, c)| c);
        let mut child_ctx = ctx;
        let mut read_hash = None;
        if node.is_named() {
            while hashes.next_if(|&&(parent, _)| parent < i).is_some() {}
            read_hash = hashes
                .peek()
                .filter(|&&&(parent, h)| parent == i && h != empty)
                .map(|&&(_, h)| h);
        }
        let named = match read_hash {
            Some(h) => Some((None, h)),
            None => short_name(tree, src, NodeId(i)).map(|n| (Some(n), hash32(n))),
        };
        if let Some((name, hash)) = named {
            if name == Some("") {
                diags.push(
                    Diagnostic::error(map.location(node.offset), "empty SHORT-NAME")
                        .with_element(element_path(NodeId(i)))
                        .with_hint("every identifiable element needs a non-empty SHORT-NAME"),
                );
            } else {
                // One hash and probe for the common case: a new name in its context.
                let vacant = index.map.insert_new(tree, (ctx, hash), i);
                child_ctx = i;
                if !vacant {
                    let name = name.or_else(|| short_name(tree, src, NodeId(i)));
                    match index.get(tree, src, ctx, name.unwrap_or_default()) {
                        Some(prev) => {
                            let prev_node = tree.node(NodeId(prev));
                            if prev_node.tag() == TAG_AR_PACKAGE && node.tag() == TAG_AR_PACKAGE {
                                // The same package split over files (or written twice): one
                                // namespace.
                                child_ctx = prev;
                            } else {
                                let path = path_of(NodeId(i)).unwrap_or_default();
                                diags.push(
                                    Diagnostic::error(
                                        map.location(node.offset),
                                        format!("duplicate SHORT-NAME path {path}"),
                                    )
                                    .with_element(path)
                                    .with_related(
                                        map.location(prev_node.offset),
                                        "first defined here",
                                    )
                                    .with_hint(
                                        "SHORT-NAMEs must be unique within their parent; rename one",
                                    ),
                                );
                            }
                        }
                        // Same context, same 32-bit hash, different name.
                        None => index.overflow.push((ctx, i)),
                    }
                }
            }
        }
        stack.push((i, child_ctx));
    }
    (index, diags)
}
