//! Replays kept on disk between compiler processes, in the build's target directory
//! (`target/<profile>/cache-contract/`): a rebuild of a crate whose migrations did not
//! change reads its replay back instead of parsing every migration again.
//!
//! An entry is found by a key over everything a replay depends on: the proc-macro library
//! itself (its path, size and modification time, which change whenever cargo rebuilds it,
//! so a new derive, `schema-check` or `sqlparser` never reads an old replay), the dialect,
//! the directory as given and as displayed, and the path and contents of every file below
//! it. The entry holds that key, the replay and a blake3 checksum over both; an entry that
//! does not match in every byte is ignored, replayed and written again. A replay is only
//! stored when the files hash the same after it as before, so an edit made while it ran
//! is never stored under the wrong key.
//!
//! Only inside rustc (which names its output directory) on Unix (where the loader says
//! which library this code is in); elsewhere replays are cached per process only.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::replay::{Replay, Source};

/// Starts every entry; bumped when the layout below changes.
const MAGIC: &[u8] = b"cache-contract replay v1\n";

/// What an entry is found by: the slot of its directory (shared by every state of the
/// directory, so that a new state's entry replaces the old one) and blake3 over everything
/// the replay depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    slot: String,
    inputs_hash: [u8; 32],
}

/// A directory of stored replays, for one build of the proc-macro library.
pub struct Store {
    dir: PathBuf,
    library: Vec<u8>,
}

impl Store {
    /// Stored replays in `dir`, made by the library identified by `library`.
    pub fn new(dir: PathBuf, library: Vec<u8>) -> Store {
        Store { dir, library }
    }

    /// The store of this process: beside rustc's output directory, for the library this
    /// code was loaded from. `None` outside rustc or where the library cannot be named.
    pub fn for_this_process() -> Option<&'static Store> {
        static STORE: OnceLock<Option<Store>> = OnceLock::new();
        STORE
            .get_or_init(|| {
                let out_dir = rustc_out_dir()?;
                let target = out_dir.parent().unwrap_or(&out_dir);
                Some(Store::new(
                    target.join("cache-contract"),
                    library_identity()?,
                ))
            })
            .as_ref()
    }

    /// The key of the replay of `source` (whose files, sorted, are `files`); `None` when a
    /// file cannot be read (the replay will say why).
    pub fn key<'a>(
        &self,
        source: &Source,
        files: impl IntoIterator<Item = &'a OsStr>,
    ) -> Option<Key> {
        let Source {
            dir,
            display,
            dialect,
            strict,
        } = source;
        let mut h = blake3::Hasher::new();
        let mut put = |bytes: &[u8]| {
            h.update(&(bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        put(MAGIC);
        put(&self.library);
        put(format!("{dialect:?}").as_bytes());
        put(&[u8::from(*strict)]);
        put(display.as_bytes());
        put(dir.as_os_str().as_encoded_bytes());
        for f in files {
            put(f.as_encoded_bytes());
            put(&std::fs::read(f).ok()?);
        }
        let mut slot = blake3::Hasher::new();
        slot.update(dir.as_os_str().as_encoded_bytes());
        slot.update(b"\0");
        slot.update(display.as_bytes());
        slot.update(format!("\0{dialect:?}\0{strict}").as_bytes());
        Some(Key {
            slot: slot.finalize().to_hex()[..16].to_string(),
            inputs_hash: *h.finalize().as_bytes(),
        })
    }

    /// The replay stored under `key`, if there is one intact.
    pub fn load(&self, key: &Key) -> Option<Replay> {
        let bytes = std::fs::read(self.entry(key)).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        let (stored_key, rest) = rest.split_first_chunk::<32>()?;
        let (payload, sum) = rest.split_last_chunk::<32>()?;
        if *stored_key != key.inputs_hash || sum != checksum(key, payload).as_bytes() {
            return None;
        }
        let (files, encoded) = decode_files(payload)?;
        let (schema, errors) = schema_check::binary::decode(encoded).ok()?;
        Some(Replay {
            schema,
            files,
            errors,
        })
    }

    /// Stores `loaded` under `key`, replacing the entries of older states of the same
    /// directory. Best effort: a store that cannot be written only costs replays.
    pub fn save(&self, key: &Key, loaded: &Replay) {
        let Some(mut payload) = encode_files(&loaded.files) else {
            return; // a path that is not UTF-8: not stored
        };
        payload.extend(schema_check::binary::encode(&loaded.schema, &loaded.errors));
        let mut bytes = Vec::with_capacity(MAGIC.len() + 64 + payload.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&key.inputs_hash);
        bytes.extend_from_slice(&payload);
        bytes.extend_from_slice(checksum(key, &payload).as_bytes());
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let entry = self.entry(key);
        // Written aside and renamed: a reader sees the whole entry or none.
        let tmp = entry.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &bytes).is_err() || std::fs::rename(&tmp, &entry).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!("{}-", key.slot);
        for e in entries.flatten() {
            let name = e.file_name();
            let older = name.to_str().is_some_and(|n| {
                n.starts_with(&prefix) && n.ends_with(".replay") && e.path() != entry
            });
            if older {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }

    fn entry(&self, key: &Key) -> PathBuf {
        let hash = blake3::Hash::from_bytes(key.inputs_hash).to_hex();
        self.dir
            .join(format!("{}-{}.replay", key.slot, &hash[..32]))
    }
}

fn checksum(key: &Key, payload: &[u8]) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(&key.inputs_hash);
    h.update(payload);
    h.finalize()
}

/// The files a replay read: a count, then each path's length and UTF-8 bytes.
fn encode_files(files: &[PathBuf]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(files.len()).ok()?.to_le_bytes());
    for f in files {
        let s = f.to_str()?;
        out.extend_from_slice(&u32::try_from(s.len()).ok()?.to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    Some(out)
}

/// The files [`encode_files`] wrote, and the bytes after them.
fn decode_files(mut bytes: &[u8]) -> Option<(Vec<PathBuf>, &[u8])> {
    let u32_at = |bytes: &mut &[u8]| {
        let (n, rest) = bytes.split_first_chunk::<4>()?;
        *bytes = rest;
        Some(u32::from_le_bytes(*n) as usize)
    };
    let n = u32_at(&mut bytes)?;
    let mut files = Vec::with_capacity(n.min(bytes.len()));
    for _ in 0..n {
        let len = u32_at(&mut bytes)?;
        let (path, rest) = (bytes.get(..len)?, bytes.get(len..)?);
        files.push(PathBuf::from(std::str::from_utf8(path).ok()?));
        bytes = rest;
    }
    Some((files, bytes))
}

/// rustc's `--out-dir` (`target/<profile>/deps` under cargo), when this process is rustc.
fn rustc_out_dir() -> Option<PathBuf> {
    let mut args = std::env::args_os();
    while let Some(a) = args.next() {
        if a == "--out-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(dir) = a.to_str().and_then(|a| a.strip_prefix("--out-dir=")) {
            return Some(PathBuf::from(dir));
        }
    }
    None
}

/// The path, size and modification time of the library this code was loaded from.
#[cfg(unix)]
fn library_identity() -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;

    let here = library_identity as fn() -> Option<Vec<u8>> as *const libc::c_void;
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    // SAFETY: `dladdr` reads no memory at `here` and only fills `info`, which is valid for
    // writes; a non-zero result means it did.
    if unsafe { libc::dladdr(here, info.as_mut_ptr()) } == 0 {
        return None;
    }
    // SAFETY: filled by `dladdr` above (and zeroed before).
    let info = unsafe { info.assume_init() };
    if info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: a non-null `dli_fname` is a NUL-terminated path owned by the loader, valid
    // while the library is loaded, which it is while this code runs.
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    let path = Path::new(std::ffi::OsStr::from_bytes(name.to_bytes()));
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut id = path.as_os_str().as_bytes().to_vec();
    id.extend_from_slice(&meta.len().to_le_bytes());
    id.extend_from_slice(&modified.as_nanos().to_le_bytes());
    Some(id)
}

#[cfg(not(unix))]
fn library_identity() -> Option<Vec<u8>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema_check::Dialect;

    struct Fixture {
        migrations: tempfile::TempDir,
        store_dir: tempfile::TempDir,
        store: Store,
    }

    fn fixture() -> Fixture {
        let migrations = tempfile::tempdir().unwrap();
        std::fs::write(
            migrations.path().join("0001_init.sql"),
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        )
        .unwrap();
        std::fs::write(
            migrations.path().join("0002_bad.sql"),
            "ALTER TABLE nope ADD COLUMN x int;\n",
        )
        .unwrap();
        let store_dir = tempfile::tempdir().unwrap();
        let store = Store::new(store_dir.path().join("cache-contract"), b"lib 1".to_vec());
        Fixture {
            migrations,
            store_dir,
            store,
        }
    }

    impl Fixture {
        fn source(&self) -> Source {
            Source {
                dir: self.migrations.path().to_path_buf(),
                display: "migrations".into(),
                dialect: Dialect::Postgres,
                strict: false,
            }
        }

        fn key(&self) -> Key {
            let files = crate::replay_cache::fingerprint(self.migrations.path());
            let files = files.iter().map(|(p, ..)| p.as_os_str());
            self.store.key(&self.source(), files).unwrap()
        }

        fn replay(&self) -> Replay {
            crate::replay::replay(&self.source()).unwrap()
        }

        fn entries(&self) -> Vec<PathBuf> {
            std::fs::read_dir(self.store_dir.path().join("cache-contract"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        }
    }

    fn same(a: &Replay, b: &Replay) -> bool {
        a.schema == b.schema && a.files == b.files && a.errors == b.errors
    }

    #[test]
    fn a_stored_replay_reads_back_equal() {
        let f = fixture();
        let (key, replay) = (f.key(), f.replay());
        assert!(!replay.errors.is_empty() && replay.files.len() == 2);
        assert!(f.store.load(&key).is_none(), "nothing stored yet");
        f.store.save(&key, &replay);
        let back = f.store.load(&key).expect("stored");
        assert!(same(&back, &replay));
    }

    #[test]
    fn anything_the_replay_depends_on_changes_the_key() {
        let f = fixture();
        let key = f.key();
        assert_eq!(f.key(), key, "the same files, the same key");
        let file = f.migrations.path().join("0001_init.sql");
        // The hashes differ, not only the slots.
        let other = |store: &Store, display, dialect| {
            let source = Source {
                display: String::from(display),
                dialect,
                ..f.source()
            };
            store.key(&source, [file.as_os_str()]).unwrap().inputs_hash
        };
        let base = other(&f.store, "migrations", Dialect::Postgres);
        assert_ne!(other(&f.store, "db/migrations", Dialect::Postgres), base);
        assert_ne!(other(&f.store, "migrations", Dialect::Sqlite), base);
        let rebuilt = Store::new(f.store.dir.clone(), b"lib 2".to_vec());
        assert_ne!(other(&rebuilt, "migrations", Dialect::Postgres), base);

        std::fs::write(
            f.migrations.path().join("0001_init.sql"),
            "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
        )
        .unwrap();
        assert_ne!(f.key(), key, "an edit");
        let edited = f.key();
        std::fs::write(f.migrations.path().join("0003_more.sql"), "").unwrap();
        assert_ne!(f.key(), edited, "a new (even empty) file");
    }

    #[test]
    fn a_damaged_entry_is_ignored_and_a_new_one_replaces_the_old() {
        let f = fixture();
        let (key, replay) = (f.key(), f.replay());
        f.store.save(&key, &replay);
        let [entry] = f.entries().try_into().unwrap();
        let good = std::fs::read(&entry).unwrap();
        for i in [0, MAGIC.len() + 3, good.len() / 2, good.len() - 1] {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            std::fs::write(&entry, &bad).unwrap();
            assert!(f.store.load(&key).is_none(), "flipped byte {i}");
        }
        std::fs::write(&entry, &good[..good.len() - 40]).unwrap();
        assert!(f.store.load(&key).is_none(), "truncated");
        std::fs::write(&entry, &good).unwrap();
        assert!(f.store.load(&key).is_some(), "intact again");

        std::fs::write(
            f.migrations.path().join("0002_bad.sql"),
            "ALTER TABLE users ADD COLUMN x int;\n",
        )
        .unwrap();
        let (key2, replay2) = (f.key(), f.replay());
        f.store.save(&key2, &replay2);
        assert_eq!(f.entries().len(), 1, "the older state's entry is removed");
        assert!(f.store.load(&key).is_none());
        assert!(same(&f.store.load(&key2).unwrap(), &replay2));
    }

    #[test]
    fn this_test_binary_has_no_store_but_names_its_library() {
        assert!(rustc_out_dir().is_none(), "a test binary is not rustc");
        assert!(Store::for_this_process().is_none());
        #[cfg(unix)]
        assert!(
            library_identity().is_some(),
            "the loader names the test binary"
        );
    }
}
