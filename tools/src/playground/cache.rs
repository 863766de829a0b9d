//! Compiled programs, kept so that clicking Run again on the same code does
//! not compile it again.
//!
//! An entry's key is a SHA-256 over a versioned description of the whole
//! compilation ([`Key`]); its file is named `<key>-<SHA-256 of the file>`, and
//! the wrapper checks that digest as it copies the program in, so an entry
//! that changed after it was made is never run. Programs cannot write here:
//! in namespaces they see none of the host's directories but the system's,
//! read-only, and their own. The cache is bounded by bytes and drops the
//! least recently used entries first (each use touches the file's
//! modification time).

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use super::contain::hex;

/// Changes whenever what goes into a key, or how, changes.
const KEY_VERSION: &str = "book-playground-cache v1";

/// A SHA-256 over named, length-prefixed parts.
pub struct Key(Sha256);

impl Key {
    pub fn new() -> Key {
        let mut key = Key(Sha256::new());
        key.add("version", KEY_VERSION.as_bytes());
        key
    }

    pub fn add(&mut self, name: &str, value: &[u8]) -> &mut Key {
        for part in [name.as_bytes(), value] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part);
        }
        self
    }

    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// The SHA-256 of a file's content.
pub fn digest_file(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}

pub struct Cache {
    dir: PathBuf,
    bound: u64,
}

/// A cached program and the digest its content must have.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: PathBuf,
    pub sha256: String,
}

impl Cache {
    pub fn new(dir: PathBuf, bound: u64) -> io::Result<Cache> {
        fs::create_dir_all(&dir)?;
        Ok(Cache { dir, bound })
    }

    /// The entry for `key`, marked as just used.
    pub fn find(&self, key: &str) -> Option<Entry> {
        let prefix = format!("{key}-");
        let entry = fs::read_dir(&self.dir).ok()?.flatten().find_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let sha256 = name.strip_prefix(&prefix)?.to_owned();
            (sha256.len() == 64).then(|| Entry {
                path: entry.path(),
                sha256,
            })
        })?;
        let _ = fs::File::open(&entry.path).and_then(|file| file.set_modified(SystemTime::now()));
        Some(entry)
    }

    /// Moves a freshly compiled program in, under `key`.
    pub fn insert(&self, key: &str, program: &Path) -> io::Result<Entry> {
        let sha256 = digest_file(program)?;
        let path = self.dir.join(format!("{key}-{sha256}"));
        // A rename within one file system: a reader sees all of it or none.
        if fs::rename(program, &path).is_err() {
            let partial = self.dir.join(format!(".{key}-{}", std::process::id()));
            fs::copy(program, &partial)?;
            fs::rename(&partial, &path)?;
        }
        let _ = fs::File::open(&path).and_then(|file| file.set_modified(SystemTime::now()));
        self.trim();
        Ok(Entry { path, sha256 })
    }

    /// Drops an entry that is not what it should be.
    pub fn remove(&self, entry: &Entry) {
        let _ = fs::remove_file(&entry.path);
    }

    /// Drops the least recently used entries until the rest fit the bound.
    fn trim(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
            .flatten()
            .filter_map(|entry| {
                let meta = entry.metadata().ok()?;
                meta.is_file()
                    .then(|| Some((meta.modified().ok()?, meta.len(), entry.path())))?
            })
            .collect();
        let mut total: u64 = files.iter().map(|(_, len, _)| len).sum();
        files.sort();
        for (_, len, path) in files {
            if total <= self.bound {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}
