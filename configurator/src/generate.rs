//! Generation: the model rendered through minijinja templates kept as files under
//! `configurator/templates/`, so a port's generated code changes without rebuilding ecuconf.
//! Same model, same bytes: templates iterate the model's lists in description order only.

use std::path::{Path, PathBuf};

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::model::Ecu;

/// The repository ecuconf was built from: templates, kernel and port crates live there.
pub fn repo_root() -> PathBuf {
    if let Some(root) = std::env::var_os("ECUCONF_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the configurator crate sits in the repository")
        .to_path_buf()
}

pub fn templates_dir() -> PathBuf {
    std::env::var_os("ECUCONF_TEMPLATES")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("configurator").join("templates"))
}

#[derive(Debug)]
pub struct GenerateError(pub String);

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GenerateError {}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Fragments shared by several targets (`{% include "shared/..." %}`).
    env.set_loader(minijinja::path_loader(templates_dir()));
    // A template that names a missing field is a bug to report, not an empty string.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // Block tags on lines of their own leave no blank lines behind.
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    env
}

/// Renders one template file with `context`.
pub fn render_file(template: &Path, context: &impl Serialize) -> Result<String, GenerateError> {
    let source = std::fs::read_to_string(template)
        .map_err(|e| GenerateError(format!("{}: cannot read template: {e}", template.display())))?;
    let env = environment();
    let name = template.display().to_string();
    env.render_named_str(&name, &source, minijinja::value::Serde(context))
        .map_err(|e| GenerateError(format!("{name}: {e:#}")))
}

#[derive(Serialize)]
struct TablesContext<'a> {
    ecu: &'a Ecu,
    total_stack_bytes: u64,
}

/// The static kernel tables for `ecu`: the `ecu.rs` module of every image.
pub fn kernel_tables(ecu: &Ecu) -> Result<String, GenerateError> {
    render_file(
        &templates_dir().join("ecu.rs.j2"),
        &TablesContext {
            ecu,
            total_stack_bytes: ecu.total_stack_bytes(),
        },
    )
}

/// `ecuconf generate`: writes the generated files into `out`, returns their paths.
pub fn generate(ecu: &Ecu, out: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    std::fs::create_dir_all(out)
        .map_err(|e| GenerateError(format!("{}: cannot create: {e}", out.display())))?;
    let path = out.join("ecu.rs");
    write_if_changed(&path, &kernel_tables(ecu)?)?;
    if !ecu.can.is_empty() {
        let can = out.join("can.rs");
        write_if_changed(&can, &crate::can::can_tables(ecu).map_err(GenerateError)?)?;
        return Ok(vec![path, can]);
    }
    Ok(vec![path])
}

/// Leaves an unchanged file alone, so cargo does not rebuild what did not change.
pub fn write_if_changed(path: &Path, contents: &str) -> Result<(), GenerateError> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| GenerateError(format!("{}: cannot create: {e}", parent.display())))?;
    }
    std::fs::write(path, contents)
        .map_err(|e| GenerateError(format!("{}: cannot write: {e}", path.display())))
}
