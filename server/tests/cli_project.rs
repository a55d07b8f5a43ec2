//! `ormhint check` on a copy of the example project from wherever the user stands: the
//! project found by walking up from the paths given, paths shown relative to the working
//! directory in every format, `--add-noqa` and `--statistics`, and the summary lines and
//! exit codes when something could not be checked.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::cli::ormhint;

/// A copy of `tests/fixtures/shop` (its `pyproject.toml` has `[tool.ormhint]`) inside
/// a directory with no project marker of its own.
fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let shop = dir.path().join("shop");
    support::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop"),
        &shop,
    );
    (dir, shop)
}

fn first_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| line.contains(": warning[") || line.contains(": error["))
        .collect()
}

const ACCOUNTS: [&str; 3] = [
    "services.py:10:12: warning[ORM101] [*] `user.profile` loads the related object `profile` \
     with one query per `User` row: the queryset does not select_related(\"profile\")",
    "services.py:21:12: warning[ORM201] [*] `Order.objects.filter(customer=user).count() > 0` \
     counts every row to test whether there is one: `exists()` stops at the first",
    "services.py:35:65: error[ORM602] `emial` in `only()`: `User` has no field or relation \
     `emial`; did you mean `email`?",
];

#[test]
fn the_project_is_found_from_a_directory_a_file_or_no_path() {
    let (_dir, shop) = shop();
    let accounts = shop.join("accounts");
    // The models of `sales` (orders/) and the config's severities apply whatever is named.
    for args in [&["check"][..], &["check", "services.py"], &["check", "."]] {
        let run = ormhint(&accounts, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert_eq!(first_lines(&run.stdout), ACCOUNTS, "{args:?}");
        assert!(
            run.stdout
                .ends_with("Found 1 error, 2 warnings.\n[*] 2 fixable with --fix.\n")
        );
    }
    let from_root = ormhint(&shop, &["check", "accounts"]);
    let expected: Vec<String> = ACCOUNTS.iter().map(|l| format!("accounts/{l}")).collect();
    assert_eq!(first_lines(&from_root.stdout), expected);
    let from_outside = ormhint(
        shop.parent().unwrap(),
        &["check", "shop/accounts/services.py"],
    );
    let expected: Vec<String> = ACCOUNTS
        .iter()
        .map(|l| format!("shop/accounts/{l}"))
        .collect();
    assert_eq!(first_lines(&from_outside.stdout), expected);
}

#[test]
fn paths_are_relative_to_the_working_directory_in_every_format() {
    let (_dir, shop) = shop();
    let accounts = shop.join("accounts");
    let args = |format| vec!["check", "../orders/services.py", "--output-format", format];

    let run = ormhint(&accounts, &args("human"));
    assert!(
        run.stdout
            .starts_with("../orders/services.py:10:17: warning[ORM101] [*] "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("  = note: ../orders/services.py:15:19: rows of `Order` fetched here\n")
    );

    let run = ormhint(&accounts, &args("json"));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json[0]["path"], "../orders/services.py");
    assert_eq!(json[0]["related"][0]["path"], "../orders/services.py");
    assert_eq!(json[0]["fix"]["edits"][0]["path"], "../orders/services.py");

    let run = ormhint(&accounts, &args("github"));
    assert!(
        run.stdout
            .starts_with("::warning file=../orders/services.py,line=10,col=17,"),
        "{}",
        run.stdout
    );

    let run = ormhint(&accounts, &args("sarif"));
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let run0 = &sarif["runs"][0];
    let base = run0["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let cwd = std::path::absolute(&accounts).unwrap();
    assert_eq!(base, format!("file://{}/", cwd.display()));
    let artifact = &run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(
        *artifact,
        serde_json::json!({"uri": "../orders/services.py", "uriBaseId": "%SRCROOT%"})
    );
}

#[test]
fn the_diff_applies_with_git_apply_from_the_working_directory() {
    let (_dir, shop) = shop();
    let catalog = shop.join("catalog");
    let run = ormhint(&catalog, &["check", "--diff"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("--- a/serializers.py\n+++ b/serializers.py\n")
    );
    assert_eq!(run.stderr, "Would fix 13 findings.\n");
    std::fs::write(shop.join("fixes.patch"), &run.stdout).unwrap();
    let status = Command::new("git")
        .args(["apply", "../fixes.patch"])
        .current_dir(&catalog)
        .status()
        .expect("git runs");
    assert!(status.success());
    let again = ormhint(&catalog, &["check", "--diff"]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""));
}

#[test]
fn add_noqa_keeps_comments_then_only_new_findings_are_reported() {
    let (_dir, shop) = shop();
    let run = ormhint(&shop, &["check", "--add-noqa"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "Added 29 noqa directives.\n");
    let services = std::fs::read_to_string(shop.join("accounts/services.py")).unwrap();
    assert!(
        services
            .contains("\n        if user.profile.newsletter:  # smell: ORM101  # noqa: ORM101\n")
    );
    let run = ormhint(&shop, &["check"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "All checks passed!\n"));
    // A second run has nothing to add.
    let run = ormhint(&shop, &["check", "--add-noqa"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));

    std::fs::write(
        shop.join("accounts/new.py"),
        "from accounts.models import User\n\n\ndef names():\n    \
         return [u.profile.bio for u in User.objects.all()]\n",
    )
    .unwrap();
    let run = ormhint(&shop, &["check", "--statistics"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "1  ORM101  warning  [*] missing-select-related\n"
    );
}

#[test]
fn statistics_count_findings_per_rule() {
    let (_dir, shop) = shop();
    let run = ormhint(&shop, &["check", "--statistics"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "\
7  ORM101  warning  [*] missing-select-related
4  ORM602  error        unknown-lookup
3  ORM102  warning  [*] missing-prefetch-related
3  ORM203  warning  [*] related-id-via-object
2  ORM104  warning  [*] deferred-field-access
2  ORM105  warning      prefetch-bypassed
2  ORM201  warning  [*] count-for-existence
2  ORM302  warning  [*] only-then-values
1  ORM202  warning  [*] len-of-queryset
1  ORM301  hint     [*] fetch-only-needed
1  ORM601  error    [*] select-related-on-many
1  ORM603  warning      bare-select-related
"
    );
    let run = ormhint(&shop, &["check", "--statistics", "--output-format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        rows[0],
        serde_json::json!({"code": "ORM101", "name": "missing-select-related",
            "severity": "warning", "count": 7, "fixable": 7})
    );
}

#[test]
fn a_syntax_error_is_reported_and_never_all_checks_passed() {
    let (_dir, shop) = shop();
    std::fs::write(
        shop.join("catalog/broken.py"),
        "from catalog.models import Product\n\n\ndef f(:\n    pass\n\n\n\
         def g():\n    return Product.objects.count() > 0\n",
    )
    .unwrap();
    let run = ormhint(&shop, &["check", "catalog/broken.py"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "warning: catalog/broken.py:4:7: syntax error: the findings of this file may be \
         incomplete\n"
    );
    assert!(
        run.stdout.ends_with(
            "Found 1 warning.\n[*] 1 fixable with --fix.\n\
             Incomplete: 1 file with a syntax error (see the warnings).\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn named_files_the_walk_skips_are_left_out_with_force_exclude() {
    let (_dir, shop) = shop();
    let migration = "catalog/migrations/0002_data.py";
    std::fs::create_dir_all(shop.join("catalog/migrations")).unwrap();
    std::fs::write(
        shop.join(migration),
        "from catalog.models import Product\n\nn = len(Product.objects.all())\n",
    )
    .unwrap();
    let run = ormhint(&shop, &["check", migration]);
    assert_eq!(run.code, 1);
    let run = ormhint(&shop, &["check", "--force-exclude", migration]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "No Python files to check.\n")
    );
}

#[test]
fn an_auth_user_model_that_names_no_model_is_a_warning() {
    let (_dir, shop) = shop();
    std::fs::write(
        shop.join("pyproject.toml"),
        "[tool.ormhint]\nauth-user-model = \"nope.Missing\"\n",
    )
    .unwrap();
    let run = ormhint(&shop, &["check", "accounts"]);
    assert_eq!(
        run.stderr,
        "warning: auth-user-model = \"nope.Missing\" names no model of the project, so \
         relations to the user model are not followed; the project's models: \
         accounts.Profile, accounts.User, catalog.Category, catalog.Product, \
         catalog.ProductImage, catalog.Review, catalog.Tag, core.Comment, sales.Order, \
         sales.OrderItem, sales.Shipment\n"
    );
}

#[test]
fn fix_says_how_many_it_fixed_and_counts_what_remains_by_severity() {
    let (_dir, shop) = shop();
    let run = ormhint(&shop, &["check", "--fix"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("Fixed 22 findings.\n"),
        "{}",
        run.stdout
    );
    let remaining: Vec<&str> = first_lines(&run.stdout)
        .iter()
        .map(|line| line.split(" `").next().unwrap())
        .collect();
    assert_eq!(
        remaining,
        [
            "accounts/services.py:35:65: error[ORM602]",
            "catalog/serializers.py:41:20: warning[ORM105]",
            "catalog/services.py:106:9: error[ORM602]",
            "catalog/views.py:55:38: warning[ORM105]",
            "catalog/views.py:62:48: error[ORM602]",
            "orders/services.py:63:33: error[ORM602]",
        ]
    );
    assert!(
        run.stdout.ends_with("\nFound 4 errors, 2 warnings.\n"),
        "{}",
        run.stdout
    );
}
