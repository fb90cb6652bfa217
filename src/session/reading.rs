//! Opening the session database to read it: nothing is written to a file that needs no change,
//! and one that cannot be written (a read-only folder or file, a full disk) is read as it is.
//! The CLI's reading commands, reports and the session browser come in here.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::error::{StoreError, sql};
use super::migrations;
use super::open::{DB_FILE, Found, inspect, tighten_dir, unwritable};
use super::recovery::abandoned;
use super::store::{Access, Store};

impl Store {
    /// A store reading through `conn`, a read-only connection.
    fn reading(conn: Connection, path: PathBuf, unwritable: Option<String>) -> Store {
        Store {
            conn,
            path,
            recovered: Vec::new(),
            access: Access::Reading { unwritable },
            notices: Vec::new(),
        }
    }

    /// Why sessions cannot be recorded into this store's folder, when it was opened for
    /// reading and writing there is impossible (a read-only folder or file, a full disk).
    pub fn unwritable(&self) -> Option<&str> {
        match &self.access {
            Access::ReadWrite => None,
            Access::Reading { unwritable } => unwritable.as_deref(),
        }
    }

    /// Opens the database in `dir` to read sessions, writing nothing unless the file needs it:
    /// a file that is up to date is read through a read-only connection (nothing is written
    /// to it or created beside it). One that needs a change (marking, migrating, closing a
    /// session whose recorder died) is opened as by [`Store::open`]; if that write is refused
    /// (a read-only folder or file, a full disk), it is read as it is.
    /// [`unwritable`](Self::unwritable) then says why recording there is impossible.
    pub fn open_for_reading(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE);
        if !dir.is_dir() {
            return Store::open_or_read(dir);
        }
        let checked = match inspect(&path)? {
            Found::Nothing => return Store::open_or_read(dir),
            Found::Ours(checked) => checked,
        };
        let up_to_date = checked.marked
            && checked.version == migrations::LATEST
            && abandoned(&checked.conn, &path)?.is_empty();
        if up_to_date {
            let unwritable = unwritable(dir, &path);
            let mut store = Store::reading(checked.conn, path, unwritable);
            // Reading the user's record is a first use too: a folder others may read is
            // made theirs alone (permissions only; not a byte of the data changes).
            store.notices = tighten_dir(dir);
            return Ok(store);
        }
        drop(checked);
        Store::open_or_read(dir)
    }

    /// Opens the database in `dir` as [`Store::open`] does, or, where writing there is refused
    /// (a read-only folder or file, a full disk), to read it as it is:
    /// [`unwritable`](Self::unwritable) then says why.
    pub fn open_or_read(dir: &Path) -> Result<Store, StoreError> {
        or_read_as_is(Store::open(dir), |why| read_as_is(dir.join(DB_FILE), why))
    }
}

/// The reader's way past a database it cannot write: `written` is the attempt to open it for
/// writing; if the write was refused (not the file: a read-only folder or file, a full disk),
/// `read(why)` reads it as it is.
fn or_read_as_is(
    written: Result<Store, StoreError>,
    read: impl FnOnce(String) -> Result<Store, StoreError>,
) -> Result<Store, StoreError> {
    match written {
        Err(e) if e.is_write_refused() => read(e.to_string()),
        other => other,
    }
}

/// The database at `path` as it is, through a read-only connection, for a reader that cannot
/// write there (`why`): no file is an empty list; a file whose schema is older than this
/// program's cannot be read without upgrading it.
fn read_as_is(path: PathBuf, why: String) -> Result<Store, StoreError> {
    match inspect(&path)? {
        Found::Nothing => {
            let mut conn =
                Connection::open_in_memory().map_err(sql("open the session database", &path))?;
            migrations::migrate_to(&mut conn, migrations::LATEST)
                .map_err(sql("open the session database", &path))?;
            Ok(Store::reading(conn, path, Some(why)))
        }
        Found::Ours(checked) if checked.version < migrations::LATEST => {
            Err(StoreError::CannotUpgrade {
                path,
                found: checked.version,
                why,
            })
        }
        Found::Ours(checked) => Ok(Store::reading(checked.conn, path, Some(why))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader falls back to reading as it is only when writing was refused; a broken or
    /// foreign file stays an error. (As root, a read-only folder cannot be made in a test: this
    /// is the decision such a folder leads to.)
    #[test]
    fn a_reader_reads_as_it_is_only_when_writing_is_refused() {
        let path = PathBuf::from("/data/plumbline.sqlite");
        let refused = sql("open the session database", &path)(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
            None,
        ));
        let mut asked = None;
        let db = or_read_as_is(Err(refused), |why| {
            asked = Some(why.clone());
            read_as_is(
                std::env::temp_dir().join("no such folder").join(DB_FILE),
                why,
            )
        });
        let why = asked.unwrap_or_default();
        assert!(why.contains("could not open the session database"), "{why}");
        let db = db.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(db.unwritable(), Some(why.as_str()));
        assert!(db.list().is_ok_and(|l| l.is_empty()));
        let change = db.set_notes(1, "x").err();
        assert!(
            matches!(change, Some(StoreError::ReadOnly { .. })),
            "{change:?}"
        );

        let foreign = StoreError::Foreign { path: path.clone() };
        let e = or_read_as_is(Err(foreign), |_| panic!("not read")).err();
        assert!(matches!(e, Some(StoreError::Foreign { .. })), "{e:?}");
    }
}
