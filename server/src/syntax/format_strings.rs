//! Which argument of a format string is turned into text how: printf-style
//! (`"%s: %r" % (a, b)`) and `str.format` (`"{} {0!r} {name}".format(...)`).
//! Only the shapes where that is certain are read; anything else is `None`.

/// What a conversion does with its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// `%s`, `{}`, `{!s}`: `str(arg)` (`{}` through `format(arg, "")`).
    Str,
    /// `%r`, `%a`, `{!r}`, `{!a}`: `repr(arg)`.
    Repr,
    /// A number (`%d`), a format spec (`{:>10}`) or a part of the argument
    /// (`{0.author}`): not plain text of the whole object.
    Other,
}

/// The conversions of a printf-style format, in argument order; `None` for a mapping
/// (`%(name)s`) or a `*` width, which take their arguments another way.
pub fn percent_conversions(format: &str) -> Option<Vec<Conversion>> {
    let mut out = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        // Flags, width, precision and length modifiers, then the conversion.
        loop {
            let next = chars.next()?;
            match next {
                // `%%`: a literal percent sign, no argument.
                '%' => break,
                '(' | '*' => return None,
                '#' | '0' | '-' | ' ' | '+' | '.' | 'h' | 'l' | 'L' => {}
                d if d.is_ascii_digit() => {}
                's' => {
                    out.push(Conversion::Str);
                    break;
                }
                'r' | 'a' => {
                    out.push(Conversion::Repr);
                    break;
                }
                _ => {
                    out.push(Conversion::Other);
                    break;
                }
            }
        }
    }
    Some(out)
}

/// Which argument a `str.format` field takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldArg {
    Positional(usize),
    Keyword(String),
}

/// The fields of a `str.format` string with the argument each converts; `None` when the
/// string is malformed or numbers its fields both automatically and by hand.
pub fn format_fields(format: &str) -> Option<Vec<(FieldArg, Conversion)>> {
    let mut out = Vec::new();
    let mut auto = 0;
    let (mut automatic, mut manual) = (false, false);
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
            }
            '}' => return None,
            '{' => {
                let mut field = String::new();
                let mut depth = 1;
                for c in chars.by_ref() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    field.push(c);
                }
                if depth != 0 {
                    return None;
                }
                let (name, rest) = field
                    .find(['!', ':'])
                    .map_or((field.as_str(), ""), |at| field.split_at(at));
                let (key, part) = name
                    .find(['.', '['])
                    .map_or((name, ""), |at| name.split_at(at));
                let arg = if key.is_empty() {
                    automatic = true;
                    auto += 1;
                    FieldArg::Positional(auto - 1)
                } else if let Ok(index) = key.parse() {
                    manual = true;
                    FieldArg::Positional(index)
                } else {
                    FieldArg::Keyword(key.to_string())
                };
                let conversion = match (part, rest) {
                    ("", "" | "!s") => Conversion::Str,
                    ("", "!r" | "!a") => Conversion::Repr,
                    _ => Conversion::Other,
                };
                out.push((arg, conversion));
            }
            _ => {}
        }
    }
    (!(automatic && manual)).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Conversion::*;

    #[test]
    fn percent_formats() {
        assert_eq!(
            percent_conversions("%s: %r %d%%"),
            Some(vec![Str, Repr, Other])
        );
        assert_eq!(percent_conversions("%-10s|%5.2f"), Some(vec![Str, Other]));
        assert_eq!(percent_conversions("%(name)s"), None);
        assert_eq!(percent_conversions("%*d"), None);
        assert_eq!(percent_conversions("100%% sure"), Some(vec![]));
    }

    #[test]
    fn format_method_fields() {
        use FieldArg::*;
        assert_eq!(
            format_fields("{} {!r} {{x}}"),
            Some(vec![(Positional(0), Str), (Positional(1), Repr)])
        );
        assert_eq!(
            format_fields("{0.author} {1:>5} {name}"),
            Some(vec![
                (Positional(0), Other),
                (Positional(1), Other),
                (Keyword("name".into()), Str)
            ])
        );
        assert_eq!(format_fields("{} {0}"), None);
        assert_eq!(format_fields("{"), None);
    }
}
