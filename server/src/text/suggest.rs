//! "Did you mean": the known name a misspelt one was probably meant to be, for unknown
//! lookups and unknown config keys alike, so both suggest the same way.

/// The candidate closest to `name`, when it is a typo away (one edit for a name of up
/// to four bytes, where two would reach most short names, else two) and no other
/// candidate is as close: a tie suggests nothing rather than a guess.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = if name.len() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for candidate in candidates {
        let d = edit_distance(name, candidate);
        if d > limit {
            continue;
        }
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tie = true,
            _ => {
                best = Some((d, candidate));
                tie = false;
            }
        }
    }
    if tie {
        return None;
    }
    best.map(|(_, candidate)| candidate)
}

/// How many insertions, deletions, substitutions and swaps of adjacent characters turn
/// `a` into `b` (each substring edited once). A swap counts as one edit: `nmae` is one
/// typo of `name`, not two.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(prev2[j - 1] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("name", "name"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("nmae", "name"), 1);
        assert_eq!(edit_distance("emial", "email"), 1);
        assert_eq!(edit_distance("selct", "select"), 1);
        assert_eq!(edit_distance("café", "cafe"), 1);
    }

    #[test]
    fn close_names() {
        let fields = ["name", "email", "author"];
        assert_eq!(closest("nmae", fields), Some("name"));
        assert_eq!(closest("emial", fields), Some("email"));
        assert_eq!(closest("xyz", fields), None);
        let keys = ["select", "ignore", "exclude", "severity", "auth-user-model"];
        assert_eq!(closest("selct", keys), Some("select"));
        assert_eq!(closest("colour", keys), None);
    }

    #[test]
    fn short_names_allow_one_edit_and_ties_suggest_nothing() {
        assert_eq!(closest("nm", ["name"]), None);
        assert_eq!(closest("nme", ["name"]), Some("name"));
        assert_eq!(closest("tags", ["tag", "taps"]), None);
        assert_eq!(closest("authr", ["author", "authors"]), Some("author"));
    }
}
