//! Objects turned into text, which runs their class's `__str__`, `__repr__` or
//! `__format__`: `str(p)`, `print(p)`, f-strings, and the arguments of printf-style
//! (`"%s: %r" % (a, b)`) and `str.format` (`"{} {0!r} {name}".format(...)`) formats,
//! whose strings say which argument is converted how. Only the shapes where that is
//! certain are read; anything else is `None`.

use tree_sitter::Node;

use super::fields::FIELDS;
use super::node::{string_value, text};
use crate::text::TextRange;

/// An object turned into text, which runs its class's `__str__`, `__repr__` or
/// `__format__`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Formatting {
    pub dunder: Dunder,
    /// The builtin called (`str`, `print`): a function of that name hides it.
    pub builtin: Option<String>,
    /// The call or interpolation (`str(p)`, `{p}`); the object itself when it is an
    /// argument of `%` or `str.format`, whose format string may be long.
    pub range: TextRange,
}

/// The method that turns an object into text.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dunder {
    /// `__str__`.
    Str,
    /// `__repr__`.
    Repr,
    /// `__format__` with an empty spec, which is `__str__` unless the class defines it.
    Format,
}

/// `node` (whose ancestors end with its parent) turned into text whole: by which method,
/// through which builtin, and the range that names it.
pub(super) fn formatted(
    node: Node<'_>,
    ancestors: &[Node<'_>],
    source: &str,
) -> Option<Formatting> {
    let (dunder, builtin, range) = formatted_parts(node, ancestors, source)?;
    Some(Formatting {
        dunder,
        builtin,
        range,
    })
}

fn formatted_parts(
    node: Node<'_>,
    ancestors: &[Node<'_>],
    source: &str,
) -> Option<(Dunder, Option<String>, TextRange)> {
    let (&parent, rest) = ancestors.split_last()?;
    match parent.kind() {
        "interpolation" => {
            if parent.child_by_field_name("expression") != Some(node)
                || parent.child_by_field_name("format_specifier").is_some()
            {
                return None;
            }
            let conversion = parent
                .child_by_field_name("type_conversion")
                .map(|c| text(c, source));
            // `f"{p=}"` shows the repr unless a conversion says otherwise.
            let mut cursor = parent.walk();
            let debug = parent.children(&mut cursor).any(|c| c.kind() == "=");
            let dunder = match conversion {
                Some("!r" | "!a") => Dunder::Repr,
                Some("!s") => Dunder::Str,
                None if debug => Dunder::Repr,
                None => Dunder::Format,
                Some(_) => return None,
            };
            Some((dunder, None, TextRange::of(parent)))
        }
        // `"%s" % p`
        "binary_operator" => {
            let conversions = percent_operands(parent, node, source)?;
            match conversions.as_slice() {
                [only] => Some((dunder_of(*only, Dunder::Str)?, None, TextRange::of(node))),
                _ => None,
            }
        }
        // `"%s: %s" % (a, p)`
        "tuple" => {
            let operator = *rest.last()?;
            let conversions = percent_operands(operator, parent, source)?;
            let mut cursor = parent.walk();
            let items: Vec<Node<'_>> = parent.named_children(&mut cursor).collect();
            if items.len() != conversions.len() || items.iter().any(|i| i.kind() == "list_splat") {
                return None;
            }
            let at = items.iter().position(|i| *i == node)?;
            Some((
                dunder_of(conversions[at], Dunder::Str)?,
                None,
                TextRange::of(node),
            ))
        }
        "argument_list" => {
            let call = rest.last().copied().filter(|c| c.kind() == "call")?;
            let mut cursor = parent.walk();
            let args: Vec<Node<'_>> = parent
                .named_children(&mut cursor)
                .filter(|c| c.kind() != "comment")
                .collect();
            let at = args
                .iter()
                .filter(|a| a.kind() != "keyword_argument")
                .position(|a| *a == node)?;
            let function = call.child_by_field_id(FIELDS.function)?;
            if function.kind() == "attribute" {
                let dunder = format_method_argument(function, FieldArg::Positional(at), source)?;
                return Some((dunder, None, TextRange::of(node)));
            }
            let builtin = text(function, source);
            let dunder = match (builtin, args.as_slice()) {
                ("str", [_]) => Dunder::Str,
                ("repr", [_]) => Dunder::Repr,
                ("format", [_]) => Dunder::Format,
                ("format", [_, spec]) if string_value(*spec, source) == Some("") => Dunder::Format,
                ("print", _) => Dunder::Str,
                _ => return None,
            };
            Some((dunder, Some(builtin.to_string()), TextRange::of(call)))
        }
        // `"{p}".format(p=p)`
        "keyword_argument" if parent.child_by_field_id(FIELDS.value) == Some(node) => {
            let name = text(parent.child_by_field_id(FIELDS.name)?, source).to_string();
            let call = rest
                .split_last()
                .and_then(|(_, above)| above.last().copied())
                .filter(|c| c.kind() == "call")?;
            let function = call
                .child_by_field_id(FIELDS.function)
                .filter(|f| f.kind() == "attribute")?;
            let dunder = format_method_argument(function, FieldArg::Keyword(name), source)?;
            Some((dunder, None, TextRange::of(node)))
        }
        _ => None,
    }
}

/// The conversions of `operator` when it is `"..." % operand`.
fn percent_operands(
    operator: Node<'_>,
    operand: Node<'_>,
    source: &str,
) -> Option<Vec<Conversion>> {
    if operator.kind() != "binary_operator"
        || operator.child_by_field_id(FIELDS.right) != Some(operand)
        || operator.child_by_field_name("operator")?.kind() != "%"
    {
        return None;
    }
    percent_conversions(string_value(
        operator.child_by_field_id(FIELDS.left)?,
        source,
    )?)
}

/// How `"...".format(...)` (the `function` of the call) converts the argument `arg`:
/// only when every field naming it converts it whole, one way.
fn format_method_argument(function: Node<'_>, arg: FieldArg, source: &str) -> Option<Dunder> {
    if text(function.child_by_field_id(FIELDS.attribute)?, source) != "format" {
        return None;
    }
    let format = string_value(function.child_by_field_id(FIELDS.object)?, source)?;
    let fields = format_fields(format)?;
    let mut conversions = fields.iter().filter(|(a, _)| *a == arg).map(|(_, c)| *c);
    let first = conversions.next()?;
    if conversions.any(|c| c != first) {
        return None;
    }
    dunder_of(first, Dunder::Format)
}

/// The method a conversion runs; `plain` for the one that converts with no marker.
fn dunder_of(conversion: Conversion, plain: Dunder) -> Option<Dunder> {
    match conversion {
        Conversion::Str => Some(plain),
        Conversion::Repr => Some(Dunder::Repr),
        Conversion::Other => None,
    }
}

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
