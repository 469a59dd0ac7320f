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

/// FNV-1a: tag names and SHORT-NAMEs are short, so a simple byte hash beats SipHash here.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
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
}

impl Default for Interner {
    fn default() -> Self {
        let mut i = Interner {
            names: Vec::new(),
            is_ref: Vec::new(),
            ids: HashMap::default(),
        };
        for name in PREDEFINED {
            i.intern(name);
        }
        i
    }
}

impl Interner {
    pub fn intern(&mut self, name: &str) -> TagId {
        if let Some(&id) = self.ids.get(name) {
            return TagId(id);
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.is_ref
            .push(name.ends_with("-REF") || name.ends_with("-TREF"));
        self.ids.insert(name.into(), id);
        TagId(id)
    }

    pub fn get(&self, name: &str) -> Option<TagId> {
        self.ids.get(name).map(|&id| TagId(id))
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

/// Attributes the reader keeps; only elements that have some get an entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attrs {
    /// `DEST`, interned like a tag so the type check is an integer compare.
    pub dest: Option<TagId>,
    pub base: Option<Text>,
    pub uuid: Option<Text>,
    /// Resolved reference target, filled by the path pass.
    pub target: u32,
}

/// One element. 32 bytes: the budget is "peak memory <= 2x the file".
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub tag: TagId,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    /// Global byte offset of the start tag's `<`.
    pub offset: u32,
    pub text: Text,
    /// Index into `Tree::attrs`, or NONE.
    pub attrs: u32,
}

/// Nodes, tags, owned text and attributes. Source text lives in [`crate::source::SourceMap`].
#[derive(Debug, Default)]
pub(crate) struct Tree {
    pub nodes: Vec<Node>,
    pub tags: Interner,
    pub owned: Vec<Box<str>>,
    pub attrs: Vec<Attrs>,
}

impl Tree {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0 as usize]
    }

    pub fn text<'a>(&'a self, source: &'a str, t: Text) -> &'a str {
        if t.len == OWNED {
            self.owned.get(t.start as usize).map_or("", |s| s)
        } else {
            let start = t.start as usize;
            source.get(start..start + t.len as usize).unwrap_or("")
        }
    }

    pub fn attrs(&self, id: NodeId) -> Option<&Attrs> {
        self.attrs.get(self.node(id).attrs as usize)
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
    pub fn child(&self, id: NodeId, tag: TagId) -> Option<NodeId> {
        let mut c = self.node(id).first_child;
        while c != NONE {
            let n = &self.nodes[c as usize];
            if n.tag == tag {
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
            if self.tag.is_none_or(|t| t == n.tag) {
                return Some(NodeId(id));
            }
        }
        None
    }
}
