//! An object turned into text (`str(p)`, `f"{p}"`, `"%s" % p`): what its model's
//! `__str__`, `__repr__` or `__format__` reads.

use crate::index::{MethodKind, MethodSummary, ModelId, ModelIndex};
use crate::syntax::format_strings::{Dunder, Formatting};
use crate::text::TextRange;

use super::{Access, AccessKind, Ctx, Hop, MAX_DEPTH, follow_method, inspects_itself, other};

/// `formatting` of the object of `model` at `base`: what its `__str__` (or `__repr__`)
/// reads, from that object.
#[allow(clippy::too_many_arguments)]
pub(super) fn format_object(
    ctx: &Ctx<'_, '_>,
    model: ModelId,
    base: &[Hop],
    formatting: &Formatting,
    out: &mut Vec<Access>,
    depth: usize,
    via: Option<&(String, TextRange)>,
    local: bool,
) {
    let Formatting {
        dunder,
        builtin,
        range,
    } = formatting;
    // A function of this file named like the builtin is called instead.
    let hidden = local
        && builtin
            .as_ref()
            .is_some_and(|b| ctx.functions.contains_key(b));
    let found = (!hidden && depth < MAX_DEPTH)
        .then(|| text_method(ctx.index, model, *dunder))
        .flatten();
    match found {
        Some(TextMethod::Defined(method)) if !inspects_itself(&method.self_uses) => {
            let name = format!("{}.{}", ctx.index.model(model).name, method.name);
            let here = via.cloned().unwrap_or((name, *range));
            follow_method(ctx, model, base, method, out, depth, &here);
        }
        // Django's `Model.__str__` reads the primary key, which every row holds.
        Some(TextMethod::DjangoDefault) if base.is_empty() => out.push(Access {
            kind: AccessKind::Pk,
            range: via.map_or(*range, |v| v.1),
            via: via.map(|v| v.0.clone()),
            read_in: None,
        }),
        Some(TextMethod::DjangoDefault) => {}
        _ => out.push(other(*range, via)),
    }
}

/// What turns an object into text.
enum TextMethod<'a> {
    /// A method of the model or of a project base class.
    Defined(&'a MethodSummary),
    /// Django's `Model.__str__` (`"Post object (1)"`); `Model.__repr__` formats it.
    DjangoDefault,
}

/// The method that turns an object of `model` into text `dunder`'s way; `None` when a
/// base class we cannot read may define it.
fn text_method(index: &ModelIndex, model: ModelId, dunder: Dunder) -> Option<TextMethod<'_>> {
    // `format(obj, "")` is `str(obj)` unless the class defines `__format__`, and
    // Django's `Model.__repr__` is `"<Post: %s>" % self`.
    let order: &[&str] = match dunder {
        Dunder::Str => &["__str__"],
        Dunder::Repr => &["__repr__", "__str__"],
        Dunder::Format => &["__format__", "__str__"],
    };
    let model = index.model(model);
    for name in order {
        match model.methods.iter().find(|m| m.name == *name) {
            Some(method) if method.shadowable || method.kind != MethodKind::Method => {
                return None;
            }
            Some(method) => return Some(TextMethod::Defined(method)),
            None if model.has_unknown_bases => return None,
            None => {}
        }
    }
    Some(TextMethod::DjangoDefault)
}
