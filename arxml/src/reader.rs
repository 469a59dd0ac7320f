//! quick-xml events to arena nodes, in one pass over one file.
//!
//! The file's text is already in the shared buffer; nodes keep byte ranges into it, so the only
//! allocations per element are amortised pushes onto the arena vectors. Text with entities or
//! CDATA (rare in ARXML) is the exception and gets an owned string.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::diag::Diagnostic;
use crate::paths::hash32;
use crate::source::SourceMap;
use crate::tree::{AttrExtra, Attrs, Node, NodeId, Text, Tree, MAX_TAGS, NONE, TAG_SHORT_NAME};

/// Options for reading.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Deepest element nesting accepted. Real ARXML stays well below 64; the limit turns a
    /// hostile document into a clear error instead of a huge tree.
    pub max_depth: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { max_depth: 256 }
    }
}

/// Namespaces accepted on the root `AUTOSAR` element.
pub const NAMESPACE_R4: &str = "http://autosar.org/schema/r4.0";
const NAMESPACE_3X_PREFIX: &str = "http://autosar.org/3.";

fn is_xml_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn trim_xml(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

/// Where `inner` sits inside `outer`, if it borrows from it.
fn range_in(outer: &str, inner: &str) -> Option<(usize, usize)> {
    let start = (inner.as_ptr() as usize).checked_sub(outer.as_ptr() as usize)?;
    let end = start.checked_add(inner.len())?;
    (outer.get(start..end) == Some(inner)).then_some((start, end))
}

/// Text collected for an open element. Whitespace-only pieces are held back so that the
/// indentation around child elements never forces an owned string.
#[derive(Default)]
enum Acc {
    #[default]
    Empty,
    Range(usize, usize),
    Owned(String),
}

struct Frame {
    node: u32,
    last_child: u32,
    acc: Acc,
    pending_ws: Option<(usize, usize)>,
}

impl Frame {
    fn push_range(&mut self, src: &str, start: usize, end: usize) {
        self.acc = match std::mem::take(&mut self.acc) {
            Acc::Empty => Acc::Range(start, end),
            Acc::Range(a, b) if b == start => Acc::Range(a, end),
            Acc::Range(a, b) => {
                let mut s = String::with_capacity(b - a + end - start);
                s.push_str(&src[a..b]);
                s.push_str(&src[start..end]);
                Acc::Owned(s)
            }
            Acc::Owned(mut s) => {
                s.push_str(&src[start..end]);
                Acc::Owned(s)
            }
        };
    }

    fn flush_ws(&mut self, src: &str) {
        if let Some((a, b)) = self.pending_ws.take() {
            self.push_range(src, a, b);
        }
    }

    fn text(&mut self, src: &str, start: usize, end: usize) {
        let piece = &src.as_bytes()[start..end];
        if piece.iter().all(|&b| is_xml_ws(b)) {
            if !matches!(self.acc, Acc::Empty) && self.pending_ws.is_none() {
                self.pending_ws = Some((start, end));
            }
        } else {
            self.flush_ws(src);
            self.push_range(src, start, end);
        }
    }

    fn verbatim(&mut self, src: &str, piece: &str) {
        self.flush_ws(src);
        let mut s = match std::mem::take(&mut self.acc) {
            Acc::Empty => String::new(),
            Acc::Range(a, b) => src[a..b].to_owned(),
            Acc::Owned(s) => s,
        };
        s.push_str(piece);
        self.acc = Acc::Owned(s);
    }
}

/// Reads file `file` of `map` into `tree`. On error the file's nodes are removed again and the
/// diagnostic says where reading stopped.
pub(crate) fn read_file(
    map: &SourceMap,
    file: usize,
    tree: &mut Tree,
    opts: &ReadOptions,
) -> Result<NodeId, Diagnostic> {
    let first_node = tree.nodes.len();
    let r = FileReader {
        map,
        file,
        tree,
        opts,
    }
    .run();
    if r.is_err() {
        tree.truncate(first_node);
        // Owned text and attribute extras of the dropped nodes stay as harmless garbage.
    }
    r
}

struct FileReader<'a> {
    map: &'a SourceMap,
    file: usize,
    tree: &'a mut Tree,
    opts: &'a ReadOptions,
}

impl FileReader<'_> {
    fn run(&mut self) -> Result<NodeId, Diagnostic> {
        let map = self.map;
        let f = &map.files[self.file];
        let base = f.base as usize;
        let src = &map.text[base..base + f.len as usize];
        // quick-xml would skip a BOM too, but we want offsets relative to the file start.
        let skip = if src.starts_with('\u{feff}') { 3 } else { 0 };
        let mut reader = Reader::from_str(&src[skip..]);
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<u32> = None;

        loop {
            let before = reader.buffer_position() as usize + skip;
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = reader.error_position() as usize + skip;
                    return Err(self.xml_error(&e, at, &stack));
                }
            };
            let after = reader.buffer_position() as usize + skip;
            let empty = matches!(event, Event::Empty(_));
            match event {
                Event::Start(e) | Event::Empty(e) => {
                    if stack.len() >= self.opts.max_depth {
                        return Err(self
                            .err(
                                before,
                                format!(
                                    "elements nested deeper than {} levels",
                                    self.opts.max_depth
                                ),
                                &stack,
                            )
                            .with_hint(
                                "ARXML never nests this deep; the file is damaged or hostile",
                            ));
                    }
                    if stack.is_empty() {
                        if let Some(r) = root {
                            let first = self.tree.nodes[r as usize].offset;
                            return Err(self
                                .err(before, "second root element after AUTOSAR", &stack)
                                .with_related(map.location(first), "the root element")
                                .with_hint("an ARXML file has exactly one AUTOSAR root element"));
                        }
                        self.check_root(&e, before)?;
                    }
                    let id = self.push_node(&e, src, before + base, &mut stack)?;
                    if stack.is_empty() {
                        root = Some(id);
                    }
                    if !empty {
                        stack.push(Frame {
                            node: id,
                            last_child: NONE,
                            acc: Acc::Empty,
                            pending_ws: None,
                        });
                    }
                }
                Event::End(_) => {
                    let Some(mut frame) = stack.pop() else {
                        return Err(self.err(before, "end tag without a start tag", &stack));
                    };
                    let text = self.finish_text(&mut frame, src, base);
                    self.tree.set_text(&self.map.text, frame.node, text);
                    let node = self.tree.nodes[frame.node as usize];
                    if node.tag() == TAG_SHORT_NAME && node.parent != NONE {
                        let name = self.tree.text(&self.map.text, text);
                        let entry = (node.parent, hash32(name));
                        self.tree.name_hashes.push(entry);
                    }
                }
                Event::Text(_) => match stack.last_mut() {
                    Some(frame) => frame.text(src, before, after),
                    None => {
                        if !src.as_bytes()[before..after].iter().all(|&b| is_xml_ws(b)) {
                            return Err(self
                                .err(before, "text outside the root element", &stack)
                                .with_hint("is this an XML file?"));
                        }
                    }
                },
                Event::CData(c) => {
                    let Some(frame) = stack.last_mut() else {
                        return Err(self.err(before, "CDATA outside the root element", &stack));
                    };
                    frame.verbatim(src, &c);
                }
                Event::GeneralRef(r) => {
                    let resolved = if r.is_char_ref() {
                        r.resolve_char_ref().ok().flatten()
                    } else {
                        match &*r {
                            "lt" => Some('<'),
                            "gt" => Some('>'),
                            "amp" => Some('&'),
                            "apos" => Some('\''),
                            "quot" => Some('"'),
                            _ => None,
                        }
                    };
                    let Some(ch) = resolved else {
                        return Err(self
                            .err(
                                before,
                                format!("unknown entity or character reference `&{};`", &*r),
                                &stack,
                            )
                            .with_hint(
                                "only &lt; &gt; &amp; &apos; &quot; and &#N; / &#xN; are defined",
                            ));
                    };
                    let Some(frame) = stack.last_mut() else {
                        return Err(self.err(before, "reference outside the root element", &stack));
                    };
                    frame.verbatim(src, ch.encode_utf8(&mut [0; 4]));
                }
                Event::Eof => break,
                // Declarations, comments, processing instructions, DOCTYPE: nothing to keep.
                _ => {}
            }
        }

        if let Some(open) = stack.last() {
            let offset = self.tree.nodes[open.node as usize].offset;
            let tag = self
                .tree
                .tags
                .name(self.tree.nodes[open.node as usize].tag())
                .to_owned();
            return Err(self
                .err(
                    src.len(),
                    format!("unexpected end of file: `{tag}` is not closed"),
                    &stack,
                )
                .with_related(map.location(offset), format!("`{tag}` opened here"))
                .with_hint("the file looks truncated"));
        }
        match root {
            Some(r) => Ok(NodeId(r)),
            None => Err(self
                .err(0, "no AUTOSAR root element (empty file?)", &stack)
                .with_hint(format!(
                    "an ARXML file starts with <AUTOSAR xmlns=\"{NAMESPACE_R4}\">"
                ))),
        }
    }

    fn check_root(&self, e: &BytesStart<'_>, at: usize) -> Result<(), Diagnostic> {
        let name = e.name();
        if name.0 != "AUTOSAR" {
            return Err(self
                .err(
                    at,
                    format!("root element is `{}`, expected `AUTOSAR`", name.0),
                    &[],
                )
                .with_hint(
                    "an ARXML file's root element is AUTOSAR (without a namespace prefix)",
                ));
        }
        let mut ns = None;
        for a in e.attributes().with_checks(false).flatten() {
            if a.key.0 == "xmlns" {
                ns = Some(a.value);
            }
        }
        let hint = format!("write <AUTOSAR xmlns=\"{NAMESPACE_R4}\">");
        match ns.as_deref() {
            None => Err(self
                .err(at, "AUTOSAR root element has no xmlns namespace", &[])
                .with_element("AUTOSAR")
                .with_hint(hint)),
            Some(v) if v == NAMESPACE_R4 || v.starts_with(NAMESPACE_3X_PREFIX) => Ok(()),
            Some(v) => Err(self
                .err(
                    at,
                    format!(
                        "AUTOSAR root element has namespace `{v}`, which is not an AUTOSAR schema"
                    ),
                    &[],
                )
                .with_element("AUTOSAR")
                .with_hint(hint)),
        }
    }

    fn push_node(
        &mut self,
        e: &BytesStart<'_>,
        src: &str,
        offset: usize,
        stack: &mut [Frame],
    ) -> Result<u32, Diagnostic> {
        let tag = self.tree.tags.intern(e.name().0);
        if tag.0 >= MAX_TAGS {
            let local = offset - self.map.files[self.file].base as usize;
            return Err(self
                .err(
                    local,
                    format!("more than {MAX_TAGS} distinct element names"),
                    stack,
                )
                .with_hint(
                    "ARXML uses a few hundred element names; the file is damaged or hostile",
                ));
        }
        let is_ref = self.tree.tags.is_ref(tag);
        let id = self.tree.nodes.len() as u32;
        // References always get an entry: it holds the resolved target later.
        if is_ref || !e.attributes_raw().trim_start().is_empty() {
            let local = offset - self.map.files[self.file].base as usize;
            self.read_attrs(e, src, local, id, is_ref, stack)?;
        }
        let parent = stack.last().map_or(NONE, |f| f.node);
        self.tree.nodes.push(Node::new(tag, parent, offset as u32));
        if tag == TAG_SHORT_NAME && parent != NONE {
            self.tree.nodes[parent as usize].set_named();
        }
        if let Some(frame) = stack.last_mut() {
            if frame.last_child != NONE {
                self.tree.nodes[frame.last_child as usize].next_sibling = id;
            }
            frame.last_child = id;
        }
        Ok(id)
    }

    /// Keeps DEST, BASE and UUID; other attributes (xmlns, S, T, ...) are not needed yet.
    fn read_attrs(
        &mut self,
        e: &BytesStart<'_>,
        src: &str,
        at: usize,
        node: u32,
        keep: bool,
        stack: &[Frame],
    ) -> Result<(), Diagnostic> {
        let base = self.map.files[self.file].base as usize;
        let mut dest = NONE;
        let mut out = AttrExtra::default();
        // quick-xml's own duplicate check allocates a list per element; elements have one
        // to three attributes, so a fixed array (and a list only past eight) does it here.
        let mut keys = [""; 8];
        let mut more_keys = Vec::new();
        for (i, a) in e.attributes().with_checks(false).enumerate() {
            let a = a.map_err(|err| {
                self.err(at, format!("bad attribute: {err}"), stack)
                    .with_hint("attributes are written name=\"value\", each name once")
            })?;
            let key = a.key.0;
            if keys[..i.min(keys.len())].contains(&key) || more_keys.contains(&key) {
                return Err(self
                    .err(at, format!("bad attribute: `{key}` is given twice"), stack)
                    .with_hint("attributes are written name=\"value\", each name once"));
            }
            match keys.get_mut(i) {
                Some(k) => *k = key,
                None => more_keys.push(key),
            }
            let slot = match key {
                "DEST" => {
                    let v = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|err| self.err(at, format!("bad DEST attribute: {err}"), stack))?;
                    dest = self.tree.tags.intern(trim_xml(&v)).0;
                    continue;
                }
                "BASE" => &mut out.base,
                "UUID" => &mut out.uuid,
                _ => continue,
            };
            let v = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| self.err(at, format!("bad attribute value: {err}"), stack))?;
            *slot = Some(match range_in(src, &v) {
                Some((s, e)) => Text::range((s + base) as u32, (e + base) as u32),
                None => {
                    self.tree.owned.push(v.as_ref().into());
                    Text::owned(self.tree.owned.len() as u32 - 1)
                }
            });
        }
        let has_extra = out.base.is_some() || out.uuid.is_some();
        if !keep && dest == NONE && !has_extra {
            return Ok(());
        }
        let extra = if has_extra {
            self.tree.attr_extra.push(out);
            self.tree.attr_extra.len() as u32 - 1
        } else {
            NONE
        };
        self.tree.attrs.push(Attrs {
            node,
            dest,
            target: NONE,
            extra,
        });
        Ok(())
    }

    fn finish_text(&mut self, frame: &mut Frame, src: &str, base: usize) -> Text {
        match std::mem::take(&mut frame.acc) {
            Acc::Empty => Text::EMPTY,
            Acc::Range(a, b) => {
                let s = &src[a..b];
                let t = trim_xml(s);
                let start = a + (s.len() - s.trim_start_matches([' ', '\t', '\r', '\n']).len());
                Text::range((start + base) as u32, (start + t.len() + base) as u32)
            }
            Acc::Owned(s) => {
                let t = trim_xml(&s);
                if t.is_empty() {
                    return Text::EMPTY;
                }
                self.tree.owned.push(t.into());
                Text::owned(self.tree.owned.len() as u32 - 1)
            }
        }
    }

    /// The open tags, outermost first, shortened in the middle for very deep documents.
    fn tag_chain(&self, stack: &[Frame]) -> String {
        const KEEP: usize = 8;
        let name = |f: &Frame| self.tree.tags.name(self.tree.nodes[f.node as usize].tag());
        if stack.len() <= 2 * KEEP {
            return stack.iter().map(name).collect::<Vec<_>>().join("/");
        }
        let head: Vec<_> = stack[..KEEP].iter().map(name).collect();
        let tail: Vec<_> = stack[stack.len() - KEEP..].iter().map(name).collect();
        format!(
            "{}/...({} more)/{}",
            head.join("/"),
            stack.len() - 2 * KEEP,
            tail.join("/")
        )
    }

    fn err(&self, local: usize, message: impl Into<String>, stack: &[Frame]) -> Diagnostic {
        Diagnostic::error(self.map.local_location(self.file, local), message)
            .with_element(self.tag_chain(stack))
    }

    fn xml_error(&self, e: &quick_xml::Error, at: usize, stack: &[Frame]) -> Diagnostic {
        use quick_xml::errors::{IllFormedError, SyntaxError};
        use quick_xml::Error as E;
        let hint = match e {
            E::IllFormed(IllFormedError::MismatchedEndTag { .. })
            | E::IllFormed(IllFormedError::UnmatchedEndTag(_))
            | E::IllFormed(IllFormedError::MissingEndTag(_)) => {
                "every start tag needs a matching end tag, innermost first"
            }
            E::Syntax(SyntaxError::UnclosedTag)
            | E::Syntax(SyntaxError::UnclosedComment)
            | E::Syntax(SyntaxError::UnclosedCData)
            | E::Syntax(SyntaxError::UnclosedSingleQuotedAttributeValue)
            | E::Syntax(SyntaxError::UnclosedDoubleQuotedAttributeValue) => {
                "the file looks truncated"
            }
            _ => "the file is not well-formed XML",
        };
        self.err(at, format!("malformed XML: {e}"), stack)
            .with_hint(hint)
    }
}
