//! The loaded ARXML: tree, sources and path index, with the queries the configurator uses.

use crate::diag::{Diagnostic, Location};
use crate::number::{self, NumberError};
use crate::paths::{self, ParentMemo, PathIndex, Unresolved};
use crate::source::SourceMap;
use crate::tree::{Children, NodeId, TagId, Tree, NONE};

/// One or more ARXML files read into one tree with a shared SHORT-NAME namespace.
#[derive(Debug)]
pub struct Arxml {
    pub(crate) map: SourceMap,
    pub(crate) tree: Tree,
    pub(crate) index: PathIndex,
    /// Root `AUTOSAR` element of each file, `None` where the file could not be read.
    pub(crate) roots: Vec<Option<NodeId>>,
}

impl Arxml {
    pub(crate) fn new(
        map: SourceMap,
        tree: Tree,
        roots: Vec<Option<NodeId>>,
    ) -> (Self, Vec<Diagnostic>) {
        let mut tree = tree;
        tree.index_attrs();
        let mut a = Arxml {
            map,
            tree,
            index: PathIndex::default(),
            roots,
        };
        let (index, mut diags) =
            paths::build_index(&a.tree, &a.map, |n| a.element_path(n), |n| a.path(n));
        a.index = index;
        a.tree.name_hashes = Vec::new();
        diags.extend(a.resolve_references());
        (a, diags)
    }

    fn src(&self) -> &str {
        &self.map.text
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.tree.nodes.len()
    }

    /// True when no element was read.
    pub fn is_empty(&self) -> bool {
        self.tree.nodes.is_empty()
    }

    /// Names of the loaded files, in load order.
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.map.files.iter().map(|f| f.name.as_str())
    }

    /// Root `AUTOSAR` elements of the files that were read.
    pub fn roots(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.roots.iter().flatten().copied()
    }

    /// Frees the SHORT-NAME path index once references are resolved and no more lookups by
    /// path will come: [`Arxml::find`] answers `None` afterwards. A caller that builds a large
    /// model from the tree thus keeps its memory peak lower.
    pub fn release_path_index(&mut self) {
        self.index = PathIndex::default();
    }

    /// The element at an absolute SHORT-NAME path such as `/Pkg/Frame1` (`None` as well after
    /// [`Arxml::release_path_index`]).
    pub fn find(&self, path: &str) -> Option<NodeId> {
        self.index.resolve(&self.tree, self.src(), path).ok()
    }

    /// Tag name (`I-SIGNAL`).
    pub fn tag(&self, id: NodeId) -> &str {
        self.tree.tags.name(self.tree.node(id).tag())
    }

    /// Text content, trimmed; empty for elements with only children.
    pub fn text(&self, id: NodeId) -> &str {
        self.tree.node_text(self.src(), id)
    }

    /// Parent element.
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.tree.node(id).parent;
        (p != NONE).then_some(NodeId(p))
    }

    /// Child elements in document order.
    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            tree: &self.tree,
            next: self.tree.first_child(id.0),
            tag: None,
        }
    }

    /// Child elements with tag `tag`.
    pub fn children_by_tag(&self, id: NodeId, tag: &str) -> Children<'_> {
        match self.tree.tags.get(tag) {
            Some(t) => Children {
                tree: &self.tree,
                next: self.tree.first_child(id.0),
                tag: Some(t),
            },
            None => Children {
                tree: &self.tree,
                next: NONE,
                tag: None,
            },
        }
    }

    /// First child with tag `tag`.
    pub fn child(&self, id: NodeId, tag: &str) -> Option<NodeId> {
        self.children_by_tag(id, tag).next()
    }

    /// Text of the first child with tag `tag` (`child_text(n, "SHORT-NAME")`).
    pub fn child_text(&self, id: NodeId, tag: &str) -> Option<&str> {
        self.child(id, tag).map(|c| self.text(c))
    }

    /// SHORT-NAME of an identifiable element.
    pub fn short_name(&self, id: NodeId) -> Option<&str> {
        paths::short_name(&self.tree, self.src(), id).filter(|s| !s.is_empty())
    }

    /// All elements below `id` (not `id` itself), in document order.
    pub fn descendants(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        (id.0 + 1..self.tree.subtree_end(id)).map(NodeId)
    }

    /// Elements below `id` with tag `tag`.
    pub fn descendants_by_tag<'a>(
        &'a self,
        id: NodeId,
        tag: &str,
    ) -> impl Iterator<Item = NodeId> + 'a {
        let t = self.tree.tags.get(tag);
        self.descendants(id)
            .filter(move |&n| Some(self.tree.node(n).tag()) == t)
    }

    /// Every element with tag `tag`, across all files.
    pub fn elements_by_tag<'a>(&'a self, tag: &str) -> impl Iterator<Item = NodeId> + 'a {
        let t = self.tree.tags.get(tag);
        // A tag no file uses has no elements: no need to walk the tree.
        let end = if t.is_some() {
            self.tree.nodes.len()
        } else {
            0
        };
        (0..end as u32)
            .map(NodeId)
            .filter(move |&n| Some(self.tree.node(n).tag()) == t)
    }

    /// The interned id of a tag name, when some element (or DEST) uses it. Lookups by id
    /// ([`Arxml::child_by_id`], [`Arxml::tag_id_of`]) skip hashing the name each time.
    pub fn tag_id(&self, tag: &str) -> Option<TagId> {
        self.tree.tags.get(tag)
    }

    /// Tag id of an element.
    pub fn tag_id_of(&self, id: NodeId) -> TagId {
        self.tree.node(id).tag()
    }

    /// First child with tag id `tag` (`None` matches nothing).
    pub fn child_by_id(&self, id: NodeId, tag: Option<TagId>) -> Option<NodeId> {
        self.tree.child(id, tag?)
    }

    /// Child elements with tag id `tag` (`None` matches nothing).
    pub fn children_by_id(&self, id: NodeId, tag: Option<TagId>) -> Children<'_> {
        Children {
            tree: &self.tree,
            next: if tag.is_some() {
                self.tree.first_child(id.0)
            } else {
                NONE
            },
            tag,
        }
    }

    /// Takes the model apart into each file's (name, text), without copying a single-file
    /// load: callers that keep the text for diagnostics then hold one buffer, not two.
    pub fn into_sources(self) -> Vec<(String, String)> {
        let Arxml {
            map, tree, index, ..
        } = self;
        drop(index);
        drop(tree);
        let mut text = map.text;
        let mut out = Vec::with_capacity(map.files.len());
        // From the last file back: each split moves only that file's tail.
        for f in map.files.iter().rev() {
            let start = (f.base as usize).min(text.len());
            let end = (start + f.len as usize).min(text.len());
            text.truncate(end);
            let piece = if start == 0 {
                let mut t = std::mem::take(&mut text);
                t.shrink_to_fit();
                t
            } else {
                text.split_off(start)
            };
            out.push((f.name.clone(), piece));
        }
        out.reverse();
        out
    }

    /// Where the element's start tag is.
    pub fn location(&self, id: NodeId) -> Location {
        self.map.location(self.tree.node(id).offset)
    }

    /// Absolute SHORT-NAME path of an identifiable element (`/Pkg/Frame1`).
    pub fn path(&self, id: NodeId) -> Option<String> {
        self.short_name(id)?;
        let mut names = Vec::new();
        let mut cur = Some(id);
        while let Some(n) = cur {
            if let Some(s) = self.short_name(n) {
                names.push(s);
            }
            cur = self.parent(n);
        }
        let mut out = String::new();
        for s in names.iter().rev() {
            out.push('/');
            out.push_str(s);
        }
        Some(out)
    }

    /// Path for diagnostics: the nearest identifiable's path plus the tags below it
    /// (`/Pkg/Frame1/FRAME-LENGTH`), or the tag chain from the root when nothing is named.
    pub fn element_path(&self, id: NodeId) -> String {
        const MAX_STEPS: usize = 64;
        let mut tags = Vec::new();
        let mut cur = Some(id);
        let mut base = None;
        while let Some(n) = cur {
            if tags.len() >= MAX_STEPS {
                tags.push("...");
                break;
            }
            if let Some(p) = self.path(n) {
                base = Some(p);
                break;
            }
            tags.push(self.tag(n));
            cur = self.parent(n);
        }
        tags.reverse();
        match base {
            Some(mut p) => {
                for t in tags {
                    p.push('/');
                    p.push_str(t);
                }
                p
            }
            None => tags.join("/"),
        }
    }

    /// `DEST` attribute of a reference element.
    pub fn dest(&self, id: NodeId) -> Option<&str> {
        let d = self.tree.attrs(id)?.dest;
        (d != NONE).then(|| self.tree.tags.name(TagId(d)))
    }

    /// `UUID` attribute.
    pub fn uuid(&self, id: NodeId) -> Option<&str> {
        let u = self.tree.attr_extra(id).uuid?;
        Some(self.tree.text(self.src(), u))
    }

    /// True for reference elements (`*-REF`, `*-TREF` without child elements).
    pub fn is_reference(&self, id: NodeId) -> bool {
        let n = self.tree.node(id);
        self.tree.tags.is_ref(n.tag()) && self.tree.first_child(id.0) == NONE
    }

    /// Target of a reference element, when it resolved.
    pub fn reference_target(&self, id: NodeId) -> Option<NodeId> {
        let t = self.tree.attrs(id)?.target;
        (t != NONE).then_some(NodeId(t))
    }

    /// A diagnostic located at an element, for checks done by callers.
    pub fn error_at(&self, id: NodeId, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.location(id), message).with_element(self.element_path(id))
    }

    fn number_error(&self, id: NodeId, e: NumberError) -> Diagnostic {
        self.error_at(
            id,
            format!("`{}` is not a valid integer: {e}", self.text(id)),
        )
        .with_hint(number::INTEGER_HINT)
    }

    /// Text as an AUTOSAR unsigned integer (decimal, 0x hex, 0b binary, 0 octal).
    pub fn text_as_u64(&self, id: NodeId) -> Result<u64, Diagnostic> {
        number::parse_u64(self.text(id)).map_err(|e| self.number_error(id, e))
    }

    /// Text as an AUTOSAR signed integer.
    pub fn text_as_i64(&self, id: NodeId) -> Result<i64, Diagnostic> {
        number::parse_i64(self.text(id)).map_err(|e| self.number_error(id, e))
    }

    /// Text as an AUTOSAR boolean (`true`/`false`/`1`/`0`).
    pub fn text_as_bool(&self, id: NodeId) -> Result<bool, Diagnostic> {
        number::parse_bool(self.text(id)).ok_or_else(|| {
            self.error_at(id, format!("`{}` is not a boolean", self.text(id)))
                .with_hint("AUTOSAR booleans are true, false, 1 or 0")
        })
    }

    /// Required child parsed as u64, with a located error when missing or malformed.
    pub fn child_u64(&self, id: NodeId, tag: &str) -> Result<u64, Diagnostic> {
        match self.child(id, tag) {
            Some(c) => self.text_as_u64(c),
            None => Err(self
                .error_at(id, format!("missing `{tag}`"))
                .with_hint(format!("add <{tag}> to this element"))),
        }
    }

    /// The package path a relative reference is based on: the innermost enclosing AR-PACKAGE
    /// whose REFERENCE-BASES declares `label` (or, without a label, a default base).
    fn reference_base(&self, id: NodeId, label: Option<&str>) -> Option<String> {
        let mut cur = self.parent(id);
        while let Some(n) = cur {
            if self.tag(n) == "AR-PACKAGE" {
                if let Some(bases) = self.child(n, "REFERENCE-BASES") {
                    for b in self.children_by_tag(bases, "REFERENCE-BASE") {
                        let hit = match label {
                            Some(l) => self.child_text(b, "SHORT-LABEL") == Some(l),
                            None => self.child_text(b, "IS-DEFAULT") == Some("true"),
                        };
                        if !hit {
                            continue;
                        }
                        if self.child_text(b, "BASE-IS-THIS-PACKAGE") == Some("true") {
                            return self.path(n);
                        }
                        return self
                            .child_text(b, "PACKAGE-REF")
                            .map(|p| p.trim_end_matches('/').to_owned());
                    }
                }
            }
            cur = self.parent(n);
        }
        None
    }

    /// Number of files whose text is held (including ones that failed to parse).
    pub fn file_count(&self) -> usize {
        self.map.files.len()
    }

    /// Name and full text of file `i` (in load order).
    pub fn file_source(&self, i: usize) -> Option<(&str, &str)> {
        let f = self.map.files.get(i)?;
        let start = f.base as usize;
        Some((
            f.name.as_str(),
            self.map.text.get(start..start + f.len as usize)?,
        ))
    }

    /// File index and byte offset within that file of the element's start tag, and of the end
    /// of its text (or of the start tag's position when it has none): a span for diagnostics.
    pub fn span(&self, id: NodeId) -> (usize, std::ops::Range<usize>) {
        let offset = self.tree.node(id).offset;
        let file = self.map.file_of(offset);
        let base = self.map.files.get(file).map_or(0, |f| f.base) as usize;
        let start = offset as usize - base;
        (file, start..start + 1)
    }

    /// Resolves every reference once; stores targets and returns the problems found.
    fn resolve_references(&mut self) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        // Taken out so targets can be stored as they resolve (no side list at the peak);
        // nothing below reads attributes through the tree.
        let mut all = std::mem::take(&mut self.tree.attrs);
        let mut memo = ParentMemo::default();
        for attrs in all.iter_mut() {
            let id = NodeId(attrs.node);
            if !self.is_reference(id) {
                continue;
            }
            let base = self
                .tree
                .attr_extra
                .get(attrs.extra as usize)
                .and_then(|x| x.base);
            let text = self.text(id);
            if text.is_empty() {
                diags.push(
                    self.error_at(id, "empty reference")
                        .with_hint("write the target's absolute path, e.g. /Pkg/Element"),
                );
                continue;
            }
            let absolute;
            let text = if text.starts_with('/') {
                text
            } else {
                match self.reference_base(id, base.map(|b| self.tree.text(self.src(), b))) {
                    Some(base) => {
                        absolute = format!("{base}/{text}");
                        absolute.as_str()
                    }
                    None => {
                        let d = match base {
                            Some(b) => self.error_at(
                                id,
                                format!(
                                    "relative reference `{text}`: no enclosing package defines the reference base `{}`",
                                    self.tree.text(self.src(), b)
                                ),
                            ),
                            None => self.error_at(
                                id,
                                format!("relative reference `{text}` and no default reference base"),
                            ),
                        };
                        diags.push(d.with_hint(
                            "write the target's absolute path, or declare REFERENCE-BASES in the enclosing AR-PACKAGE",
                        ));
                        continue;
                    }
                }
            };
            match self
                .index
                .resolve_memo(&self.tree, self.src(), text, &mut memo)
            {
                Ok(target) => {
                    attrs.target = target.0;
                    if attrs.dest != NONE {
                        let dest = TagId(attrs.dest);
                        let actual = self.tree.node(target).tag();
                        if actual != dest {
                            diags.push(
                                self.error_at(
                                    id,
                                    format!(
                                        "reference {text} has DEST=\"{}\" but the target is a {}",
                                        self.tree.tags.name(dest),
                                        self.tree.tags.name(actual)
                                    ),
                                )
                                .with_related(self.location(target), "target defined here")
                                .with_hint(format!(
                                    "point the reference at a {} or set DEST=\"{}\"",
                                    self.tree.tags.name(dest),
                                    self.tree.tags.name(actual)
                                )),
                            );
                        }
                    }
                }
                Err(u) => diags.push(self.unresolved(id, text, u)),
            }
        }
        self.tree.attrs = all;
        diags
    }

    fn unresolved(&self, id: NodeId, text: &str, u: Unresolved) -> Diagnostic {
        if u.missing.is_empty() {
            return self
                .error_at(id, format!("malformed reference path `{text}`"))
                .with_hint("paths are /Package/.../ShortName, no empty segments");
        }
        if u.depth == 0 {
            // Typically DEFINITION-REFs into /AUTOSAR/EcucDefs when the definitions file is not
            // loaded: worth saying, not worth stopping for.
            return Diagnostic::warning(
                self.location(id),
                format!(
                    "reference {text} points into package /{} which is not loaded",
                    u.missing
                ),
            )
            .with_element(self.element_path(id))
            .with_hint(format!("load the file that defines /{}", u.missing));
        }
        let mut d = self.error_at(id, format!("dangling reference {text}"));
        if u.found != NONE {
            let found = NodeId(u.found);
            let at = self.path(found).unwrap_or_default();
            d = d
                .with_related(
                    self.location(found),
                    format!("{at} has no element named `{}`", u.missing),
                )
                .with_hint(format!(
                    "check the spelling of `{}` or add the element",
                    u.missing
                ));
        }
        d
    }
}
