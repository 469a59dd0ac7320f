//! Bad input gives located diagnostics, never a panic.

use ecu_arxml::{read_sources, Diagnostic, Loaded, Severity};

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn one(name: &str, text: &[u8]) -> Loaded {
    read_sources([(name, text)])
}

fn only_error(loaded: &Loaded) -> &Diagnostic {
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:#?}", loaded.diagnostics);
    errors[0]
}

fn pkg(body: &str) -> String {
    format!(
        "{HEAD}<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\">\n<AR-PACKAGES>\n<AR-PACKAGE>\n<SHORT-NAME>P</SHORT-NAME>\n<ELEMENTS>\n{body}</ELEMENTS>\n</AR-PACKAGE>\n</AR-PACKAGES>\n</AUTOSAR>\n"
    )
}

#[test]
fn binary_garbage() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let l = one("junk.bin", &bytes);
    let d = only_error(&l);
    assert_eq!(d.location.file, "junk.bin");
    assert!(d.message.contains("UTF-8"), "{d}");
    assert!(d.to_string().starts_with("junk.bin:1:"), "{d}");
    assert_eq!(l.arxml.len(), 0);
}

#[test]
fn ascii_that_is_not_xml() {
    let l = one("a.txt", b"hello\nworld\n");
    let d = only_error(&l);
    assert_eq!((d.location.line, d.location.column), (1, 1));
    assert!(d.message.contains("text outside the root"), "{d}");
}

#[test]
fn truncated() {
    let full = pkg("<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL>\n");
    let cut = &full[..full.find("</ELEMENTS>").unwrap()];
    let l = one("t.arxml", cut.as_bytes());
    let d = only_error(&l);
    assert!(
        d.message.contains("end of file") || d.message.contains("malformed"),
        "{d}"
    );
    assert!(
        d.hint.as_deref().unwrap_or("").contains("truncated")
            || d.message.contains("truncated")
            || d.hint.is_some(),
        "{d}"
    );
    assert_eq!(d.location.file, "t.arxml");
    assert!(d.location.line >= 7, "{d}");
    assert!(d.element.contains("AUTOSAR"), "{d}");

    // Cut inside a tag.
    let cut = &full[..full.find("SHORT-NAME>S").unwrap() + 4];
    let l = one("t2.arxml", cut.as_bytes());
    let d = only_error(&l);
    assert_eq!(d.location.line, 7, "{d}");
    assert!(d.hint.as_deref().unwrap().contains("truncated"), "{d}");
}

#[test]
fn missing_namespace() {
    let l = one(
        "n.arxml",
        format!("{HEAD}<AUTOSAR>\n</AUTOSAR>\n").as_bytes(),
    );
    let d = only_error(&l);
    assert_eq!((d.location.line, d.location.column), (2, 1));
    assert!(d.message.contains("no xmlns"), "{d}");
}

#[test]
fn wrong_namespace_and_wrong_root() {
    let l = one(
        "w.arxml",
        format!("{HEAD}  <AUTOSAR xmlns=\"http://example.com/x\"/>\n").as_bytes(),
    );
    let d = only_error(&l);
    assert_eq!((d.location.line, d.location.column), (2, 3));
    assert!(d.message.contains("http://example.com/x"), "{d}");

    let l = one("r.arxml", format!("{HEAD}<html></html>\n").as_bytes());
    let d = only_error(&l);
    assert!(d.message.contains("root element is `html`"), "{d}");

    // AUTOSAR 3.x namespace is accepted.
    let l = one(
        "3.arxml",
        b"<AUTOSAR xmlns=\"http://autosar.org/3.2.3\"></AUTOSAR>",
    );
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
}

#[test]
fn mismatched_end_tag() {
    let l = one(
        "m.arxml",
        pkg("<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL-I-PDU>\n").as_bytes(),
    );
    let d = only_error(&l);
    assert_eq!((d.location.line, d.location.column), (7, 37), "{d}");
    assert!(d.message.contains("I-SIGNAL"), "{d}");
    assert!(d.element.ends_with("ELEMENTS/I-SIGNAL"), "{d}");
}

#[test]
fn duplicate_attributes_are_located() {
    // Within the first eight attributes, and past them (the reader keeps eight keys inline).
    let many: String = (0..10).map(|i| format!(" A{i}=\"x\"")).collect();
    for attrs in [
        " DEST=\"I-SIGNAL\" DEST=\"I-SIGNAL\"".to_owned(),
        format!("{many} A9=\"y\""),
    ] {
        let l = one(
            "d.arxml",
            pkg(&format!(
                "<CAN-FRAME><SHORT-NAME>F</SHORT-NAME>\n<PDU-REF{attrs}>/P/F</PDU-REF></CAN-FRAME>\n"
            ))
            .as_bytes(),
        );
        let d = only_error(&l);
        assert_eq!((d.location.line, d.location.column), (8, 1), "{d}");
        assert!(d.message.contains("given twice"), "{d}");
        assert!(d.element.ends_with("CAN-FRAME"), "{d}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut s = String::from("<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\">");
    for _ in 0..depth {
        s.push_str("<X>");
    }
    for _ in 0..depth {
        s.push_str("</X>");
    }
    s.push_str("</AUTOSAR>");
    let l = one("deep.arxml", s.as_bytes());
    let d = only_error(&l);
    assert!(d.message.contains("nested deeper than 256"), "{d}");
    assert!(d.element.contains("more"), "{d}");
    assert!(d.element.len() < 200, "{d}");

    // With the limit lifted, the same document reads fine, and every walk is iterative.
    let mut loader = ecu_arxml::Loader::new(ecu_arxml::ReadOptions {
        max_depth: usize::MAX,
    });
    assert!(loader.add_source("deep.arxml", s.as_bytes()));
    let l = loader.finish();
    assert!(l.diagnostics.is_empty());
    let a = &l.arxml;
    let root = a.roots().next().unwrap();
    assert_eq!(a.descendants(root).count(), depth);
    let leaf = a.descendants(root).last().unwrap();
    assert!(a.element_path(leaf).len() < 1000);
    assert_eq!(a.path(leaf), None);
}

#[test]
fn empty_file() {
    let l = one("e.arxml", b"");
    let d = only_error(&l);
    assert_eq!(
        d.to_string().lines().next().unwrap(),
        "e.arxml:1:1: error: no AUTOSAR root element (empty file?)"
    );
    let l = one("ws.arxml", b"  \n\n");
    only_error(&l);
}

#[test]
fn duplicate_short_name_across_files() {
    let a = pkg("<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL>\n");
    let b = pkg("<I-SIGNAL><SHORT-NAME>T</SHORT-NAME></I-SIGNAL>\n<SYSTEM><SHORT-NAME>S</SHORT-NAME></SYSTEM>\n");
    let l = read_sources([("a.arxml", a.as_bytes()), ("b.arxml", b.as_bytes())]);
    let d = only_error(&l);
    assert_eq!(d.location.file, "b.arxml");
    assert_eq!((d.location.line, d.location.column), (8, 1));
    assert_eq!(d.element, "/P/S");
    assert_eq!(d.related.len(), 1);
    assert_eq!(d.related[0].location.file, "a.arxml");
    assert_eq!(d.related[0].location.line, 7);
    let text = d.to_string();
    assert!(
        text.starts_with("b.arxml:8:1: error: duplicate SHORT-NAME path /P/S"),
        "{text}"
    );
    assert!(
        text.contains("\n  note: a.arxml:7:1: first defined here"),
        "{text}"
    );
    // The first definition wins; the package itself merged without complaint.
    let s = l.arxml.find("/P/S").unwrap();
    assert_eq!(l.arxml.tag(s), "I-SIGNAL");
    assert!(l.arxml.find("/P/T").is_some());
}

#[test]
fn duplicate_in_one_package() {
    let a = pkg("<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL>\n<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL>\n");
    let l = one("a.arxml", a.as_bytes());
    let d = only_error(&l);
    assert_eq!(d.location.line, 8);
    assert_eq!(d.related[0].location.line, 7);
}

#[test]
fn dangling_reference() {
    let a = pkg("<I-SIGNAL-I-PDU><SHORT-NAME>Pdu</SHORT-NAME>\n  <I-SIGNAL-REF DEST=\"I-SIGNAL\">/P/Missing</I-SIGNAL-REF></I-SIGNAL-I-PDU>\n");
    let l = one("a.arxml", a.as_bytes());
    let d = only_error(&l);
    assert_eq!((d.location.line, d.location.column), (8, 3));
    assert_eq!(d.element, "/P/Pdu/I-SIGNAL-REF");
    assert!(d.message.contains("dangling reference /P/Missing"), "{d}");
    assert!(
        d.related[0]
            .message
            .contains("/P has no element named `Missing`"),
        "{d}"
    );
    let r = l
        .arxml
        .descendants_by_tag(l.arxml.find("/P/Pdu").unwrap(), "I-SIGNAL-REF")
        .next()
        .unwrap();
    assert_eq!(l.arxml.reference_target(r), None);
}

#[test]
fn wrong_dest_type() {
    let a = pkg("<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL>\n<CAN-FRAME-TRIGGERING><SHORT-NAME>T</SHORT-NAME>\n<FRAME-REF DEST=\"CAN-FRAME\">/P/S</FRAME-REF></CAN-FRAME-TRIGGERING>\n");
    let l = one("a.arxml", a.as_bytes());
    let d = only_error(&l);
    assert_eq!((d.location.line, d.location.column), (9, 1));
    assert!(
        d.message
            .contains("DEST=\"CAN-FRAME\" but the target is a I-SIGNAL"),
        "{d}"
    );
    assert_eq!(d.related[0].location.line, 7);
}

#[test]
fn relative_and_malformed_references() {
    let a = pkg("<X><SHORT-NAME>S</SHORT-NAME>\n<A-REF DEST=\"X\" BASE=\"b\">S</A-REF>\n<B-REF DEST=\"X\">S</B-REF>\n<C-REF DEST=\"X\">/P//S</C-REF>\n<D-REF DEST=\"X\"></D-REF>\n</X>\n");
    let l = one("a.arxml", a.as_bytes());
    let lines: Vec<_> = l
        .diagnostics
        .iter()
        .map(|d| (d.location.line, d.message.clone()))
        .collect();
    assert_eq!(lines.len(), 4, "{lines:#?}");
    // Relative references resolve through REFERENCE-BASES; none is declared here.
    assert!(lines[0]
        .1
        .contains("no enclosing package defines the reference base `b`"));
    assert!(lines[1].1.contains("no default reference base"));
    assert!(lines[2].1.contains("malformed reference path"));
    assert!(lines[3].1.contains("empty reference"));
    assert_eq!(
        lines.iter().map(|l| l.0).collect::<Vec<_>>(),
        [8, 9, 10, 11]
    );
}

#[test]
fn bad_numbers_are_located() {
    let a =
        pkg("<CAN-FRAME><SHORT-NAME>F</SHORT-NAME>\n<FRAME-LENGTH>08</FRAME-LENGTH></CAN-FRAME>\n");
    let l = one("a.arxml", a.as_bytes());
    assert!(l.diagnostics.is_empty());
    let f = l.arxml.find("/P/F").unwrap();
    let e = l.arxml.child_u64(f, "FRAME-LENGTH").unwrap_err();
    assert_eq!(e.location.line, 8);
    assert_eq!(e.element, "/P/F/FRAME-LENGTH");
    assert!(
        e.to_string().contains("invalid digit for a octal number"),
        "{e}"
    );
    let e = l.arxml.child_u64(f, "PADDING").unwrap_err();
    assert!(e.message.contains("missing `PADDING`"));
}

#[test]
fn entities_cdata_and_bom() {
    let a =
        pkg("<X><SHORT-NAME>A&amp;B</SHORT-NAME><DESC> x &lt; <![CDATA[y]]> &#x41; </DESC></X>\n");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(a.as_bytes());
    let l = one("a.arxml", &bytes);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let x = l.arxml.find("/P/A&B").unwrap();
    assert_eq!(l.arxml.child_text(x, "DESC"), Some("x < y A"));
    assert_eq!(l.arxml.location(x).line, 7);

    let l = one("e.arxml", pkg("<X>&nope;</X>").as_bytes());
    assert!(only_error(&l).message.contains("&nope;"));
}

#[test]
fn utf16_is_explained() {
    let l = one("u.arxml", &[0xff, 0xfe, b'<', 0]);
    let d = only_error(&l);
    assert!(d.hint.as_deref().unwrap().contains("UTF-16"), "{d}");
}

#[test]
fn a_bad_file_does_not_spoil_the_good_one() {
    let good = pkg("<I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL>\n");
    let l = read_sources([
        ("bad.arxml", b"<AUTOSAR".as_slice()),
        ("good.arxml", good.as_bytes()),
    ]);
    let d = only_error(&l);
    assert_eq!(d.location.file, "bad.arxml");
    let s = l.arxml.find("/P/S").unwrap();
    assert_eq!(l.arxml.location(s).file, "good.arxml");
    assert_eq!(l.arxml.location(s).line, 7);
}
