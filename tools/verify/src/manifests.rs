//! What the listings depend on, read from their `Cargo.toml` files. The
//! crates a chapter's code block may use are the dev-dependencies of
//! `tests/snippets` (the crate skeptic compiles the blocks in), and trybuild
//! compiles the compile-fail listings with the dev-dependencies of
//! `tests/compile-fail`; both must ask for each crate exactly what the listing
//! crates ask for, or a block would be checked against another library than
//! the listing it shows.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::catalog;

/// What a manifest asks of one dependency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The version requirement, `0.5` or `1.2.3`.
    pub version: String,
    pub features: BTreeSet<String>,
    pub default_features: bool,
}

impl std::fmt::Display for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "version = \"{}\"", self.version)?;
        if !self.features.is_empty() {
            let features: Vec<String> = self.features.iter().map(|f| format!("\"{f}\"")).collect();
            write!(f, ", features = [{}]", features.join(", "))?;
        }
        if !self.default_features {
            write!(f, ", default-features = false")?;
        }
        Ok(())
    }
}

/// The dependencies in one table (`dependencies`, `dev-dependencies`, …) of
/// the manifest at `path`, by name.
pub fn dependencies(path: &Path, table: &str) -> Result<BTreeMap<String, Requirement>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: toml::Table =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let Some(entries) = manifest.get(table) else {
        return Ok(BTreeMap::new());
    };
    let entries = entries
        .as_table()
        .ok_or_else(|| format!("{}: [{table}] is not a table", path.display()))?;
    let mut found = BTreeMap::new();
    for (name, spec) in entries {
        let requirement = match spec {
            toml::Value::String(version) => Requirement {
                version: version.clone(),
                features: BTreeSet::new(),
                default_features: true,
            },
            toml::Value::Table(spec) => Requirement {
                version: spec
                    .get("version")
                    .and_then(toml::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                features: spec
                    .get("features")
                    .and_then(toml::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(toml::Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                default_features: spec
                    .get("default-features")
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(true),
            },
            _ => return Err(format!("{}: odd dependency {name}", path.display())),
        };
        found.insert(name.clone(), requirement);
    }
    Ok(found)
}

/// Every way the listings' dependencies and those of the snippet crate and
/// `tests/compile-fail` (for trybuild) disagree, one readable line each.
pub fn problems(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut report = |result: Result<BTreeMap<String, Requirement>, String>| match result {
        Ok(found) => Some(found),
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let snippets_manifest = root.join("tests/snippets/Cargo.toml");
    let (Some(snippets), Some(harness_own), Some(trybuild)) = (
        report(dependencies(&snippets_manifest, "dev-dependencies")),
        report(dependencies(&snippets_manifest, "build-dependencies")),
        report(dependencies(
            &root.join("tests/compile-fail/Cargo.toml"),
            "dev-dependencies",
        )),
    ) else {
        return problems;
    };

    // Which listing crates use each dependency, and how.
    let mut used: BTreeMap<String, Vec<(String, Requirement)>> = BTreeMap::new();
    for crate_dir in catalog::listing_crates(root) {
        let name = crate_dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some(found) = report(dependencies(&crate_dir.join("Cargo.toml"), "dependencies"))
        else {
            continue;
        };
        for (dependency, requirement) in found {
            used.entry(dependency)
                .or_default()
                .push((name.clone(), requirement));
        }
    }

    for (dependency, users) in &used {
        let (first, wanted) = &users[0];
        for (other, requirement) in &users[1..] {
            if requirement != wanted {
                problems.push(format!(
                    "listings/{first} and listings/{other} ask for {dependency} differently \
                     ({wanted} against {requirement}): one version and one set of features \
                     for the whole book"
                ));
            }
        }
        match snippets.get(dependency) {
            None => problems.push(format!(
                "listings/{first} uses {dependency}, but the chapters' code blocks cannot: \
                 add it to [dev-dependencies] of tests/snippets/Cargo.toml as \
                 {dependency} = {{ {wanted} }}"
            )),
            Some(shown) if shown != wanted => problems.push(format!(
                "tests/snippets/Cargo.toml asks for {dependency} with {shown}, but \
                 listings/{first} with {wanted}: make them the same"
            )),
            Some(_) => {}
        }
        if let Some(compiled) = trybuild.get(dependency)
            && compiled != wanted
        {
            problems.push(format!(
                "tests/compile-fail/Cargo.toml's [dev-dependencies] (what trybuild \
                 compiles the compile-fail listings with) ask for {dependency} with {compiled}, but \
                 listings/{first} with {wanted}: make them the same"
            ));
        }
    }
    for dependency in snippets.keys() {
        if !used.contains_key(dependency) && !harness_own.contains_key(dependency) {
            problems.push(format!(
                "tests/snippets/Cargo.toml offers {dependency} to the code blocks, but no \
                 listing crate uses it: remove it"
            ));
        }
    }
    problems
}
