//! The chapters are spelled right: every word of the book's Markdown
//! (SUMMARY.md, its chapters and the Markdown they include) is checked
//! against typos' list of common misspellings (the `typos` tool's own
//! tokenizer and word list, as libraries), with the project's exceptions in
//! `_typos.toml`, which the `typos` command reads the same way.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use typos::tokens::{Case, Identifier, Tokenizer, Word};
use typos::{Dictionary, Status};
use unicase::UniCase;
use verify::{book, markdown, repo_root};

#[test]
fn the_chapters_have_no_misspelling() {
    let root = repo_root();
    let dictionary = BookDictionary::load(&root.join("_typos.toml"));
    let mut misspellings = Vec::new();
    for (path, text) in markdown_files(&root) {
        let path = path.display().to_string();
        misspellings.extend(misspellings_in(&path, &text, &dictionary));
    }
    assert!(
        misspellings.is_empty(),
        "misspelled words in the chapters:\n{}\n\
         Fix them, or, where a word is right (a name, a term), accept it in \
         _typos.toml under [default.extend-words] as `word = \"word\"`.",
        misspellings.join("\n")
    );
}

#[test]
fn a_misspelling_is_caught_with_its_line() {
    let dictionary = BookDictionary::from_toml("[default.extend-words]");
    let text =
        "# Threads\n\nThe `serde::ser` module.\nThe thread will recieve a\nvalue, and Teh end.\n";
    assert_eq!(
        misspellings_in("src/ch99-wrong.md", text, &dictionary),
        [
            "src/ch99-wrong.md:3:13: `ser` (set)",
            "src/ch99-wrong.md:4:17: `recieve` (receive)",
            "src/ch99-wrong.md:5:12: `Teh` (The)",
        ]
    );
}

#[test]
fn the_word_list_accepts_a_word_and_flags_another() {
    let dictionary = BookDictionary::from_toml(
        r#"
        [default.extend-words]
        ser = "ser"
        mutices = "mutexes"
        "#,
    );
    assert_eq!(
        misspellings_in(
            "a.md",
            "The `serde::ser` module.\nThree — Mutices.",
            &dictionary
        ),
        ["a.md:2:9: `Mutices` (Mutexes)"]
    );
}

/// SUMMARY.md, then each chapter after the Markdown files it includes, as
/// paths relative to the repository root with their text.
fn markdown_files(root: &Path) -> Vec<(PathBuf, String)> {
    let read = |path: PathBuf| {
        let text = fs::read_to_string(root.join(&path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        (path, text)
    };
    let mut files = vec![read(book::config(root).book.src.join("SUMMARY.md"))];
    for chapter in book::chapters(root) {
        let dir = chapter.path.parent().unwrap();
        for (_, include) in markdown::includes(&chapter.text) {
            if include.path.ends_with(".md") {
                files.push(read(dir.join(&include.path)));
            }
        }
        files.push((chapter.path, chapter.text));
    }
    files
}

/// Each misspelling of `text` as `file:line:column: `word` (corrections)`.
fn misspellings_in(file: &str, text: &str, dictionary: &BookDictionary) -> Vec<String> {
    typos::check_str(text, &Tokenizer::new(), dictionary)
        .map(|typo| {
            let before = &text[..typo.byte_offset];
            let line = before.matches('\n').count() + 1;
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[line_start..].chars().count() + 1;
            let corrections = match &typo.corrections {
                Status::Corrections(words) => words.join(", "),
                _ => "no correction known".to_owned(),
            };
            format!("{file}:{line}:{column}: `{}` ({corrections})", typo.typo)
        })
        .collect()
}

/// typos' built-in word list, with the project's additions.
struct BookDictionary {
    /// `[default.extend-identifiers]`: whole identifiers, case-sensitive.
    identifiers: HashMap<String, Status<'static>>,
    /// `[default.extend-words]`: words, in any case.
    words: HashMap<UniCase<String>, Status<'static>>,
}

impl BookDictionary {
    fn load(config: &Path) -> Self {
        let text = fs::read_to_string(config)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", config.display()));
        Self::from_toml(&text)
    }

    /// Reads the parts of a typos configuration this check uses; anything
    /// else would be silently ignored here, so it is refused.
    fn from_toml(text: &str) -> Self {
        let config: toml::Table = text.parse().expect("_typos.toml is TOML");
        let mut dictionary = BookDictionary {
            identifiers: HashMap::new(),
            words: HashMap::new(),
        };
        for (section, value) in &config {
            let table = value.as_table().filter(|_| section == "default");
            let Some(table) = table else {
                panic!("_typos.toml: [{section}] is not used by tests/spelling.rs");
            };
            for (key, entries) in table {
                let entries = entries.as_table().expect("a table of words");
                let entries = entries.iter().map(|(typo, correction)| {
                    let correction = correction.as_str().expect("a word, in quotes");
                    (typo.clone(), status(typo, correction))
                });
                match key.as_str() {
                    "extend-words" => dictionary
                        .words
                        .extend(entries.map(|(typo, status)| (UniCase::new(typo), status))),
                    "extend-identifiers" => dictionary.identifiers.extend(entries),
                    _ => panic!("_typos.toml: default.{key} is not used by tests/spelling.rs"),
                }
            }
        }
        dictionary
    }
}

/// As typos reads its configuration: `word = "word"` accepts the word,
/// `typo = "fix"` flags it, `typo = ""` flags it with no correction.
fn status(typo: &str, correction: &str) -> Status<'static> {
    if typo == correction {
        Status::Valid
    } else if correction.is_empty() {
        Status::Invalid
    } else {
        Status::Corrections(vec![Cow::Owned(correction.to_owned())])
    }
}

impl Dictionary for BookDictionary {
    fn correct_ident<'s>(&'s self, ident: Identifier<'_>) -> Option<Status<'s>> {
        self.identifiers.get(ident.token()).map(Status::borrow)
    }

    fn correct_word<'s>(&'s self, word: Word<'_>) -> Option<Status<'s>> {
        if word.case() == Case::None {
            return None; // no letters
        }
        let mut status = match self.words.get(&UniCase::new(word.token().to_owned())) {
            Some(status) => status.borrow(),
            None => {
                let corrections = typos_dict::WORD.find(&UniCase::new(word.token()))?;
                match corrections {
                    [] => Status::Invalid,
                    _ => {
                        Status::Corrections(corrections.iter().map(|c| Cow::Borrowed(*c)).collect())
                    }
                }
            }
        };
        for correction in status.corrections_mut() {
            match word.case() {
                Case::Title => {
                    let mut chars = correction.chars();
                    let first = chars.next().map(|c| c.to_uppercase().to_string());
                    *correction = Cow::Owned(first.unwrap_or_default() + chars.as_str());
                }
                Case::Upper => *correction = Cow::Owned(correction.to_uppercase()),
                Case::Lower | Case::None => {}
            }
        }
        Some(status)
    }
}
