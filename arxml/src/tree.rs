//! The arena tree: nodes in document order (pre-order) with u32 links, tag names interned,
//! text kept as ranges into the shared source buffer. A subtree is therefore a contiguous run of
//! the arena, which lets every walk be a loop instead of a recursion.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// "No node" in the u32 links.
pub(crate) const NONE: u32 = u32::MAX;

/// Handle to an element of a [`crate::Arxml`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// Index in document order (across files, in load order).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Interned tag name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagId(pub(crate) u32);

/// Tags the reader itself needs, interned first so their ids are constants.
pub(crate) const TAG_SHORT_NAME: TagId = TagId(0);
pub(crate) const TAG_AR_PACKAGE: TagId = TagId(1);
const PREDEFINED: [&str; 2] = ["SHORT-NAME", "AR-PACKAGE"];

/// Word-at-a-time multiplicative hash: tag names and SHORT-NAMEs are short, so this beats
/// SipHash (and byte-wise FNV) here.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes a step (FxHash's mixing), then the tail: names are mostly 8 to 30 bytes.
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59))
                .wrapping_mul(K);
        }
        self.0 = h ^ (h >> 29);
    }
}

pub(crate) type FnvBuild = BuildHasherDefault<Fnv>;

pub(crate) fn fnv(s: &str) -> u64 {
    let mut h = Fnv::default();
    h.write(s.as_bytes());
    h.finish()
}

/// Tag name table. Few distinct names (hundreds) against millions of elements.
#[derive(Debug)]
pub(crate) struct Interner {
    names: Vec<Box<str>>,
    /// Whether the tag names a reference (`*-REF`, `*-TREF`).
    is_ref: Vec<bool>,
    ids: HashMap<Box<str>, u32, FnvBuild>,
    /// Direct-mapped table in front of `ids`, indexed by length and four bytes of the name.
    /// A slot holds the one interned name that maps to it, EMPTY when none does, or COLLIDED
    /// when several do. Interning a known tag is then one compare, and looking up a tag that no
    /// file uses (the extractors ask for optional elements all the time) usually no hashing.
    slots: Box<[u32; SLOTS]>,
}

const SLOTS: usize = 1024;
const EMPTY: u32 = u32::MAX;
const COLLIDED: u32 = u32::MAX - 1;

#[inline]
fn cache_slot(name: &[u8]) -> usize {
    let n = name.len();
    if n == 0 {
        return 0;
    }
    let mix = n
        .wrapping_mul(0x9e37)
        .wrapping_add(usize::from(name[0]).wrapping_mul(31))
        .wrapping_add(usize::from(name[n / 2]).wrapping_mul(0x2f1))
        .wrapping_add(usize::from(name[n - 1]).wrapping_mul(0x1_0001))
        .wrapping_add(usize::from(name[n * 3 / 4]).wrapping_mul(7));
    (mix ^ (mix >> 10)) & (SLOTS - 1)
}

impl Default for Interner {
    fn default() -> Self {
        let mut i = Interner {
            names: Vec::new(),
            is_ref: Vec::new(),
            ids: HashMap::default(),
            slots: Box::new([EMPTY; SLOTS]),
        };
        for name in PREDEFINED {
            i.intern(name);
        }
        i
    }
}

/// What the direct-mapped table says about a name.
enum Probe {
    Found(u32),
    Absent,
    /// Several names share the slot: ask the hash map.
    Ask,
}

impl Interner {
    #[inline]
    fn probe(&self, name: &str) -> Probe {
        match self.slots[cache_slot(name.as_bytes())] {
            EMPTY => Probe::Absent,
            COLLIDED => Probe::Ask,
            id if self.names.get(id as usize).is_some_and(|n| **n == *name) => Probe::Found(id),
            // The slot's only name is another one, so this one was never interned.
            _ => Probe::Absent,
        }
    }

    #[inline]
    pub fn intern(&mut self, name: &str) -> TagId {
        match self.probe(name) {
            Probe::Found(id) => TagId(id),
            Probe::Absent => self.insert(name),
            Probe::Ask => match self.ids.get(name) {
                Some(&id) => TagId(id),
                None => self.insert(name),
            },
        }
    }

    fn insert(&mut self, name: &str) -> TagId {
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.is_ref
            .push(name.ends_with("-REF") || name.ends_with("-TREF"));
        self.ids.insert(name.into(), id);
        let slot = &mut self.slots[cache_slot(name.as_bytes())];
        *slot = if *slot == EMPTY { id } else { COLLIDED };
        TagId(id)
    }

    pub fn get(&self, name: &str) -> Option<TagId> {
        match self.probe(name) {
            Probe::Found(id) => Some(TagId(id)),
            Probe::Absent => None,
            Probe::Ask => self.ids.get(name).map(|&id| TagId(id)),
        }
    }

    pub fn name(&self, tag: TagId) -> &str {
        self.names.get(tag.0 as usize).map_or("", |s| s)
    }

    pub fn is_ref(&self, tag: TagId) -> bool {
        self.is_ref.get(tag.0 as usize).copied().unwrap_or(false)
    }
}

/// Text or attribute value: a range of the source buffer, or (when entities or CDATA made it
/// differ from the source bytes) an index into the owned strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Text {
    start: u32,
    len: u32,
}

const OWNED: u32 = u32::MAX;

impl Text {
    pub const EMPTY: Text = Text { start: 0, len: 0 };

    pub fn range(start: u32, end: u32) -> Text {
        Text {
            start,
            len: end - start,
        }
    }

    pub fn owned(index: u32) -> Text {
        Text {
            start: index,
            len: OWNED,
        }
    }
}

/// Attributes the reader keeps; only elements that have some get an entry. Entries are in
/// node order (the reader pushes them as it creates nodes), so lookup is a binary search.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attrs {
    /// The element they belong to.
    pub node: u32,
    /// `DEST`, interned like a tag so the type check is an integer compare; NONE when absent.
    pub dest: u32,
    /// Resolved reference target, filled by the path pass; NONE until then.
    pub target: u32,
    /// Index into `Tree::attr_extra` (BASE and UUID), or NONE.
    pub extra: u32,
}

/// The rarer attributes: `BASE` (relative references) and `UUID`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AttrExtra {
    pub base: Option<Text>,
    pub uuid: Option<Text>,
}

/// Marks a node whose text is not `offset + delta` (owned, or too far from the start tag).
const FAR: u16 = u16::MAX;

/// Set in `Node::tag` when the element has a SHORT-NAME child: the path index then skips the
/// child scan for the (many more) elements that have none.
const NAMED: u16 = 0x8000;

/// Largest number of distinct tag names: node tags are 15 bits, beside the NAMED flag.
pub(crate) const MAX_TAGS: u32 = NAMED as u32;

/// One element. 16 bytes: the budget is "peak memory <= 2x the file". The first child is not
/// stored: in pre-order it is the next node when that node's parent is this one. Nor is the
/// text's length: text kept as a range runs up to the next `<`, less trailing whitespace (the
/// reader checks that this holds and otherwise puts the text in `Tree::far`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    tag: u16,
    /// Text start minus `offset`; 0 for no text, FAR when the text is in `Tree::far`.
    text_delta: u16,
    pub parent: u32,
    pub next_sibling: u32,
    /// Global byte offset of the start tag's `<`.
    pub offset: u32,
}

fn is_xml_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// End of a text starting at `start`: the next `<`, less trailing whitespace.
#[inline]
fn implied_end(source: &[u8], start: usize) -> usize {
    let rest = source.get(start..).unwrap_or(&[]);
    let mut end = start + rest.iter().position(|&b| b == b'<').unwrap_or(rest.len());
    while end > start && is_xml_ws(source[end - 1]) {
        end -= 1;
    }
    end
}

impl Node {
    pub fn new(tag: TagId, parent: u32, offset: u32) -> Node {
        debug_assert!(tag.0 < MAX_TAGS);
        Node {
            tag: tag.0 as u16,
            text_delta: 0,
            parent,
            next_sibling: NONE,
            offset,
        }
    }

    #[inline]
    pub fn tag(&self) -> TagId {
        TagId(u32::from(self.tag & !NAMED))
    }

    /// True when a SHORT-NAME child was read.
    #[inline]
    pub fn is_named(&self) -> bool {
        self.tag & NAMED != 0
    }

    pub fn set_named(&mut self) {
        self.tag |= NAMED;
    }
}

/// Nodes per block of the attribute index.
const ATTR_BLOCK_BITS: u32 = 8;

/// Nodes, tags, owned text and attributes. Source text lives in [`crate::source::SourceMap`].
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub tags: Interner,
    pub owned: Vec<Box<str>>,
    pub attrs: Vec<Attrs>,
    pub attr_extra: Vec<AttrExtra>,
    /// `attr_blocks[b]`: first entry of `attrs` for nodes from `b << ATTR_BLOCK_BITS` on.
    pub attr_blocks: Vec<u32>,
    /// (element, hash of its SHORT-NAME) in element order, filled while reading; the path index
    /// is built from it and it is freed then.
    pub name_hashes: Vec<(u32, u32)>,
    /// Texts that are owned or start too far after their start tag; rare.
    pub far: HashMap<u32, Text, FnvBuild>,
}

impl Tree {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    /// First child of `id`, or NONE.
    #[inline]
    pub fn first_child(&self, id: u32) -> u32 {
        let next = id.wrapping_add(1);
        match self.nodes.get(next as usize) {
            Some(n) if n.parent == id => next,
            _ => NONE,
        }
    }

    pub fn text<'a>(&'a self, source: &'a str, t: Text) -> &'a str {
        if t.len == OWNED {
            self.owned.get(t.start as usize).map_or("", |s| s)
        } else {
            let start = t.start as usize;
            source.get(start..start + t.len as usize).unwrap_or("")
        }
    }

    /// Text content of node `id`.
    #[inline]
    pub fn node_text<'a>(&'a self, source: &'a str, id: NodeId) -> &'a str {
        let n = self.node(id);
        match n.text_delta {
            0 => "",
            FAR => self.far.get(&id.0).map_or("", |&t| self.text(source, t)),
            d => {
                let start = n.offset as usize + d as usize;
                let end = implied_end(source.as_bytes(), start);
                source.get(start..end).unwrap_or("")
            }
        }
    }

    /// Sets node `id`'s text (once, when its end tag is read).
    pub fn set_text(&mut self, source: &str, id: u32, t: Text) {
        let n = &mut self.nodes[id as usize];
        if t.len == 0 {
            return;
        }
        let near = t.len != OWNED
            && t.start > n.offset
            && t.start - n.offset < u32::from(FAR)
            && implied_end(source.as_bytes(), t.start as usize) == (t.start + t.len) as usize;
        if near {
            n.text_delta = (t.start - n.offset) as u16;
        } else {
            n.text_delta = FAR;
            self.far.insert(id, t);
        }
    }

    pub fn attrs(&self, id: NodeId) -> Option<&Attrs> {
        // The block index narrows the search to the entries of this node's block of nodes;
        // a search over all entries missed the cache at every step on large inputs.
        let block = (id.0 >> ATTR_BLOCK_BITS) as usize;
        let (lo, hi) = match (self.attr_blocks.get(block), self.attr_blocks.get(block + 1)) {
            (Some(&lo), Some(&hi)) => (lo as usize, hi as usize),
            _ => (0, self.attrs.len()),
        };
        let run = self.attrs.get(lo..hi)?;
        let i = run.binary_search_by_key(&id.0, |a| a.node).ok()?;
        run.get(i)
    }

    /// Builds the block index of `attrs` (after reading, before queries).
    pub fn index_attrs(&mut self) {
        let blocks = (self.nodes.len() >> ATTR_BLOCK_BITS) + 1;
        let mut starts = Vec::with_capacity(blocks + 1);
        let mut i = 0;
        for b in 0..=blocks {
            let first_node = (b as u64) << ATTR_BLOCK_BITS;
            while i < self.attrs.len() && u64::from(self.attrs[i].node) < first_node {
                i += 1;
            }
            starts.push(i as u32);
        }
        self.attr_blocks = starts;
    }

    pub fn attr_extra(&self, id: NodeId) -> AttrExtra {
        self.attrs(id)
            .and_then(|a| self.attr_extra.get(a.extra as usize))
            .copied()
            .unwrap_or_default()
    }

    /// Drops nodes from `first` on (a file that failed to read).
    pub fn truncate(&mut self, first: usize) {
        self.nodes.truncate(first);
        let keep = self.attrs.partition_point(|a| (a.node as usize) < first);
        self.attrs.truncate(keep);
        self.far.retain(|&k, _| (k as usize) < first);
        self.name_hashes.retain(|&(k, _)| (k as usize) < first);
    }

    /// One past the last node of `id`'s subtree (pre-order makes subtrees contiguous).
    pub fn subtree_end(&self, id: NodeId) -> u32 {
        let mut cur = id.0;
        while cur != NONE {
            let n = &self.nodes[cur as usize];
            if n.next_sibling != NONE {
                return n.next_sibling;
            }
            cur = n.parent;
        }
        // Last subtree of its file: ends where the next file's root starts, or at the end.
        let mut end = id.0 + 1;
        while (end as usize) < self.nodes.len() && self.nodes[end as usize].parent != NONE {
            end += 1;
        }
        end
    }

    /// First child with tag `tag`.
    #[inline]
    pub fn child(&self, id: NodeId, tag: TagId) -> Option<NodeId> {
        let mut c = self.first_child(id.0);
        while c != NONE {
            let n = &self.nodes[c as usize];
            if n.tag() == tag {
                return Some(NodeId(c));
            }
            c = n.next_sibling;
        }
        None
    }
}

/// Iterator over the children of a node, optionally only those with one tag.
pub struct Children<'a> {
    pub(crate) tree: &'a Tree,
    pub(crate) next: u32,
    pub(crate) tag: Option<TagId>,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        while self.next != NONE {
            let id = self.next;
            let n = &self.tree.nodes[id as usize];
            self.next = n.next_sibling;
            if self.tag.is_none_or(|t| t == n.tag()) {
                return Some(NodeId(id));
            }
        }
        None
    }
}
