//! Marks a loket database as written by another schema: `set_schema FILE VERSION`. The
//! package's downgrade test (tests/deb/run.sh) makes a database of a later release with it.

use std::process::ExitCode;

const META: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, version] = args.as_slice() else {
        eprintln!("usage: set_schema FILE VERSION");
        return ExitCode::from(2);
    };
    let Ok(version) = version.parse::<u64>() else {
        eprintln!("VERSION: not a number: {version}");
        return ExitCode::from(2);
    };
    match set(file, version) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{file}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn set(file: &str, version: u64) -> Result<(), redb::Error> {
    let db = redb::Database::open(file)?;
    let txn = db.begin_write()?;
    txn.open_table(META)?.insert("schema_version", version)?;
    txn.commit()?;
    Ok(())
}
