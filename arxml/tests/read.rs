//! A small but realistic system split over two files, with a cross-file reference.

use ecu_arxml::{read_files, Arxml, Loaded, Severity};

fn load() -> Loaded {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    read_files(&[format!("{dir}/system.arxml"), format!("{dir}/ecuc.arxml")])
}

fn line_col(a: &Arxml, n: ecu_arxml::NodeId) -> (u32, u32) {
    let l = a.location(n);
    (l.line, l.column)
}

#[test]
fn paths_positions_and_values() {
    let loaded = load();
    // Only the DEFINITION-REFs into the (not loaded) standard definitions are reported.
    for d in &loaded.diagnostics {
        assert_eq!(d.severity, Severity::Warning, "{d}");
        assert!(d.message.contains("/AUTOSAR"), "{d}");
    }
    assert_eq!(loaded.diagnostics.len(), 5);
    assert!(!loaded.has_errors());
    let a = &loaded.arxml;
    assert_eq!(a.roots().count(), 2);

    let cluster = a.find("/Can/Powertrain").unwrap();
    assert_eq!(a.tag(cluster), "CAN-CLUSTER");
    assert_eq!(a.uuid(cluster), Some("c1"));
    assert_eq!(line_col(a, cluster), (7, 9));
    assert!(a.location(cluster).file.ends_with("system.arxml"));

    let frame = a.find("/Can/EngineData").unwrap();
    assert_eq!(a.tag(frame), "CAN-FRAME");
    assert_eq!(line_col(a, frame), (28, 9));
    assert_eq!(a.child_text(frame, "SHORT-NAME"), Some("EngineData"));
    assert_eq!(a.child_u64(frame, "FRAME-LENGTH").unwrap(), 8);
    let fl = a.child(frame, "FRAME-LENGTH").unwrap();
    assert_eq!(a.element_path(fl), "/Can/EngineData/FRAME-LENGTH");
    assert_eq!(line_col(a, fl), (30, 11));

    // Nested identifiables: the channel and triggering are named inside the cluster.
    let trig = a.find("/Can/Powertrain/PtChannel/EngineDataTrig").unwrap();
    assert_eq!(a.tag(trig), "CAN-FRAME-TRIGGERING");
    assert_eq!(a.child_u64(trig, "IDENTIFIER").unwrap(), 0x123);
    assert_eq!(
        a.path(trig).as_deref(),
        Some("/Can/Powertrain/PtChannel/EngineDataTrig")
    );
    let fref = a.child(trig, "FRAME-REF").unwrap();
    assert!(a.is_reference(fref));
    assert_eq!(a.dest(fref), Some("CAN-FRAME"));
    assert_eq!(a.reference_target(fref), Some(frame));
    assert_eq!(line_col(a, fref), (18, 23));

    // Cross-file: the PDU in system.arxml maps signals defined in ecuc.arxml.
    let pdu = a.find("/Can/EngineDataPdu").unwrap();
    let mappings: Vec<_> = a
        .descendants_by_tag(pdu, "I-SIGNAL-TO-I-PDU-MAPPING")
        .collect();
    assert_eq!(mappings.len(), 2);
    let sref = a.child(mappings[0], "I-SIGNAL-REF").unwrap();
    let sig = a.reference_target(sref).unwrap();
    assert_eq!(a.path(sig).as_deref(), Some("/Signals/EngineSpeed"));
    let at = a.location(sig);
    assert!(at.file.ends_with("ecuc.arxml"));
    assert_eq!((at.line, at.column), (7, 9));
    assert_eq!(a.child_u64(sig, "LENGTH").unwrap(), 16);
    let start = a.child(mappings[1], "START-POSITION").unwrap();
    assert_eq!(a.text_as_u64(start).unwrap(), 16);

    // /Can is split over both files and merges into one namespace.
    let diag = a.find("/Can/Diag").unwrap();
    assert_eq!(a.child_u64(diag, "FRAME-LENGTH").unwrap(), 8);
    assert!(a.location(diag).file.ends_with("ecuc.arxml"));
    assert_eq!(a.elements_by_tag("CAN-FRAME").count(), 2);

    // Os configuration: a task with a priority and a reference back into system.arxml.
    let os = a.find("/Ecuc/Os").unwrap();
    assert_eq!(a.tag(os), "ECUC-MODULE-CONFIGURATION-VALUES");
    assert_eq!(line_col(a, os), (29, 9));
    let task = a.find("/Ecuc/Os/TaskEngine").unwrap();
    let def = a.child_text(task, "DEFINITION-REF").unwrap();
    assert_eq!(def, "/AUTOSAR/EcucDefs/Os/OsTask");
    let prio = a
        .descendants_by_tag(task, "ECUC-NUMERICAL-PARAM-VALUE")
        .next()
        .unwrap();
    assert_eq!(a.child_u64(prio, "VALUE").unwrap(), 5);
    let vref = a.descendants_by_tag(task, "VALUE-REF").next().unwrap();
    assert_eq!(a.reference_target(vref), Some(frame));
    assert_eq!(line_col(a, vref), (49, 19));
    assert_eq!(a.parent(a.child(task, "SHORT-NAME").unwrap()), Some(task));
    assert_eq!(
        a.children_by_tag(
            a.child(task, "PARAMETER-VALUES").unwrap(),
            "ECUC-TEXTUAL-PARAM-VALUE"
        )
        .count(),
        1
    );
    assert_eq!(a.find("/Can/Nope"), None);
    assert_eq!(a.find("Can"), None);
}

#[test]
fn warnings_name_the_missing_package() {
    let loaded = load();
    let d = &loaded.diagnostics[0];
    let s = d.to_string();
    assert!(s.contains("ecuc.arxml:31:11: warning: reference /AUTOSAR/EcucDefs/Os points into package /AUTOSAR"), "{s}");
    assert!(s.contains("  element: /Ecuc/Os/DEFINITION-REF"), "{s}");
    assert!(
        s.contains("  hint: load the file that defines /AUTOSAR"),
        "{s}"
    );
}

/// Text far from its start tag (beyond the node's 16-bit delta), text with entities (owned),
/// and taking a multi-file load apart into its sources.
#[test]
fn far_and_owned_text_and_sources() {
    let pad = " ".repeat(70_000);
    let a = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\"><AR-PACKAGES><AR-PACKAGE><SHORT-NAME>P</SHORT-NAME><ELEMENTS>\
<I-SIGNAL><SHORT-NAME>S</SHORT-NAME><LENGTH {pad}>{pad}16</LENGTH><DESC>a &amp; b</DESC></I-SIGNAL>\
</ELEMENTS></AR-PACKAGE></AR-PACKAGES></AUTOSAR>"
    );
    let b = "<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\"><AR-PACKAGES><AR-PACKAGE><SHORT-NAME>Q</SHORT-NAME><ELEMENTS>\
<I-SIGNAL-I-PDU><SHORT-NAME>Pdu</SHORT-NAME><I-SIGNAL-REF DEST=\"I-SIGNAL\">/P/S</I-SIGNAL-REF></I-SIGNAL-I-PDU>\
</ELEMENTS></AR-PACKAGE></AR-PACKAGES></AUTOSAR>";
    let loaded = ecu_arxml::read_sources([("a.arxml", a.as_bytes()), ("b.arxml", b.as_bytes())]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let m = &loaded.arxml;
    let s = m.find("/P/S").unwrap();
    assert_eq!(m.child_text(s, "LENGTH"), Some("16"));
    assert_eq!(m.child_text(s, "DESC"), Some("a & b"));
    let r = m.elements_by_tag("I-SIGNAL-REF").next().unwrap();
    assert_eq!(m.reference_target(r), Some(s));
    assert_eq!(m.dest(r), Some("I-SIGNAL"));
    let len = m.tag_id("LENGTH");
    assert_eq!(m.child_by_id(s, len).map(|n| m.text(n)), Some("16"));
    assert_eq!(m.children_by_id(s, None).count(), 0);
    let sources = loaded.arxml.into_sources();
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0], ("a.arxml".to_owned(), a.clone()));
    assert_eq!(sources[1], ("b.arxml".to_owned(), b.to_owned()));
}

/// Text whose length the node does not store: trimmed, before or after child elements, split
/// by a comment, with CDATA.
#[test]
fn text_ranges_without_stored_length() {
    let a = "<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\"><AR-PACKAGES><AR-PACKAGE><SHORT-NAME>\n  P \t</SHORT-NAME><ELEMENTS>\
<X><SHORT-NAME>A</SHORT-NAME><T1>  one  </T1><T2>two<C/></T2><T3><C/> three </T3><T4>fo<!-- c -->ur</T4><T5><![CDATA[<5>]]></T5><T6>   </T6></X>\
</ELEMENTS></AR-PACKAGE></AR-PACKAGES></AUTOSAR>";
    let loaded = ecu_arxml::read_sources([("a.arxml", a.as_bytes())]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let m = &loaded.arxml;
    let x = m.find("/P/A").unwrap();
    let t = |tag| m.child_text(x, tag).unwrap();
    assert_eq!(
        [t("T1"), t("T2"), t("T3"), t("T4"), t("T5"), t("T6")],
        ["one", "two", "three", "four", "<5>", ""]
    );
}

#[test]
fn released_path_index_keeps_resolved_references() {
    let mut loaded = load();
    let frame = loaded.arxml.find("/Can/EngineData").unwrap();
    let pdu_ref = loaded
        .arxml
        .descendants_by_tag(frame, "PDU-REF")
        .next()
        .unwrap();
    let target = loaded.arxml.reference_target(pdu_ref).unwrap();
    loaded.arxml.release_path_index();
    assert_eq!(loaded.arxml.find("/Can/EngineData"), None);
    assert_eq!(loaded.arxml.reference_target(pdu_ref), Some(target));
    assert_eq!(loaded.arxml.short_name(frame), Some("EngineData"));
}

#[test]
fn short_name_after_named_children_still_names_the_element() {
    // Out of schema order, but readable: the package's SHORT-NAME follows its elements.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<AUTOSAR xmlns="http://autosar.org/schema/r4.0"><AR-PACKAGES>
<AR-PACKAGE><ELEMENTS><I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL></ELEMENTS><SHORT-NAME>P</SHORT-NAME></AR-PACKAGE>
<AR-PACKAGE><SHORT-NAME>Q</SHORT-NAME><ELEMENTS><I-SIGNAL><SHORT-NAME>S</SHORT-NAME></I-SIGNAL></ELEMENTS></AR-PACKAGE>
</AR-PACKAGES></AUTOSAR>"#;
    let loaded = ecu_arxml::read_sources([("order.arxml", xml.as_bytes())]);
    assert!(loaded.diagnostics.is_empty(), "{:#?}", loaded.diagnostics);
    let a = &loaded.arxml;
    let p = a.find("/P").unwrap();
    let s = a.find("/P/S").unwrap();
    assert_eq!(a.parent(a.parent(s).unwrap()), Some(p));
    assert_ne!(a.find("/Q/S"), Some(s));
    assert_eq!(a.path(a.find("/Q/S").unwrap()).as_deref(), Some("/Q/S"));
}
