//! `docs/roles.md` and the route table say the same: the table of who may call what in the
//! document is generated from `web::routes()` and compared here, so the documentation, the
//! guard and the console's menu are one truth. `LOKET_UPDATE_DOCS=1` rewrites the table after
//! an intended change of the route table.

use loket::web::{Access, routes};

const BEGIN: &str = "<!-- routes:begin (generated from the route table; tests/roles_doc.rs) -->";
const END: &str = "<!-- routes:end -->";

fn who(access: Access) -> String {
    match access {
        Access::Public => "public".to_string(),
        Access::SurveyTablet => "the survey tablets (`[survey] tablets`)".to_string(),
        Access::Staff => "any staff".to_string(),
        Access::Roles(roles) => roles
            .iter()
            .map(|r| format!("`{}`", r.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn table() -> String {
    let mut out = String::from("| method | path | who |\n| --- | --- | --- |\n");
    for r in routes() {
        out.push_str(&format!(
            "| {} | `{}` | {} |\n",
            r.method,
            r.path,
            who(r.access)
        ));
    }
    out
}

#[test]
fn the_roles_document_is_the_route_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/roles.md");
    let doc = std::fs::read_to_string(&path).expect("docs/roles.md");
    let (head, rest) = doc.split_once(BEGIN).expect("begin marker");
    let (_, tail) = rest.split_once(END).expect("end marker");
    let fresh = format!("{head}{BEGIN}\n{}{END}{tail}", table());
    if std::env::var_os("LOKET_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &fresh).expect("write");
        return;
    }
    assert!(
        fresh == doc,
        "docs/roles.md differs from the route table; run with LOKET_UPDATE_DOCS=1 and review:\n{}",
        table()
    );
}
