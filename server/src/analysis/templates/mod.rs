//! What a Django template does with each of its context variables: a template is a
//! function of its context, and this is its summary (see DESIGN, "Across functions,
//! files and layers"). A view that renders it is the call site: a later step applies
//! the view's querysets to the summary, as the flow analysis applies a helper's
//! summary to its arguments.
//!
//! It sits in the analysis, beside `access/` (what a chain of attributes on a row does),
//! because it is the same kind of fact for another layer, consumed by the flow
//! analysis; it knows nothing of models, so a read here is a path of names that the
//! analysis later resolves against the view's queryset.
//!
//! - A use is recorded on the context variable it reaches through `{% with %}`,
//!   `{% include ... with %}` aliases and for-loop variables; a name a tag binds to
//!   something else (`forloop`, `as x` of `{% url %}`, a loop over a literal) shadows
//!   the context variable and records nothing.
//! - A loop's uses of its row are the loop's own (nested loops nest); the loop itself
//!   is recorded where the iterated value comes from.
//! - `{% include %}` and `{% extends %}` are followed: an included template sees the
//!   includer's names (only the `with` ones after `only`); a child's blocks replace the
//!   parent's, `{{ block.super }}` renders the parent's. What cannot be followed (a
//!   template named by a variable or not found, a cycle, more than
//!   [`MAX_TEMPLATE_DEPTH`] templates deep) is a [`Gap`]: a later rule stays silent.
//! - Filters: [`filters::kind`] says what each built-in filter does to its value; any
//!   other filter, and any custom tag given a value, makes it [`UseKind::Escapes`].
//! - Jinja2 templates are walked the same way, with what only they have (`{% set %}`,
//!   macros, imports) in `jinja`; their paths say which steps are called ([`Called`]).

mod filters;
mod jinja;
mod values;
mod walk;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use crate::syntax::template::{self, Dialect, Template};
use crate::text::TextRange;

pub use filters::{FilterKind, kind as filter_kind};

/// Templates followed at most through includes and extends, nested.
pub const MAX_TEMPLATE_DEPTH: usize = 10;

/// A parsed template file.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedTemplate {
    /// The name it is loaded by (`blog/post_list.html`).
    pub name: String,
    pub path: PathBuf,
    pub template: Template,
}

impl LoadedTemplate {
    /// The template `source` written in `dialect`.
    pub fn parse(
        dialect: Dialect,
        name: impl Into<String>,
        path: impl Into<PathBuf>,
        source: &str,
    ) -> Self {
        let template = match dialect {
            Dialect::Django => template::parse(source),
            Dialect::Jinja2 => template::jinja::parse(source),
        };
        Self {
            name: name.into(),
            path: path.into(),
            template,
        }
    }
}

/// Finds a template by name, as Django's loaders would.
pub trait TemplateLoader {
    fn load(&self, name: &str) -> Option<Arc<LoadedTemplate>>;
}

impl TemplateLoader for HashMap<String, Arc<LoadedTemplate>> {
    fn load(&self, name: &str) -> Option<Arc<LoadedTemplate>> {
        self.get(name).cloned()
    }
}

/// Where something is: the template (by name) and the bytes in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub template: String,
    pub range: TextRange,
}

/// One thing a template does with a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// Attributes, keys and methods looked up on the value, in order
    /// (`comments`, `all`); empty for the value itself.
    pub path: Vec<Step>,
    pub kind: UseKind,
    /// The lookup (`post.author.name` of `{{ post.author.name }}`).
    pub at: Place,
}

/// One attribute, key or method looked up on a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub called: Called,
}

/// Whether a step runs what it looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Called {
    /// Django's templates call what they look up when it is callable.
    IfCallable,
    /// Jinja2: `(...)` calls it.
    Yes,
    /// Jinja2: looked up only (`post.comments.all` is the bound method, no query).
    No,
}

impl Step {
    pub fn new(name: impl Into<String>, called: Called) -> Self {
        Self {
            name: name.into(),
            called,
        }
    }

    /// `a.b()` and the like, as the summary's tests print a path.
    pub fn render(path: &[Step]) -> String {
        let names: Vec<String> = path
            .iter()
            .map(|s| match s.called {
                Called::Yes => format!("{}()", s.name),
                Called::IfCallable | Called::No => s.name.clone(),
            })
            .collect();
        names.join(".")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseKind {
    /// Looked up and used as a value (a condition, a date to format, an alias).
    Read,
    /// Turned into text: a model object's `__str__` runs.
    Text,
    /// Counted with `|length`: a queryset is evaluated.
    Length,
    /// Handed to code we do not read (a custom filter or tag): anything may happen.
    Escapes,
    /// Iterated (`{% for %}`, `{% regroup %}`, `|join`); what each row is used for.
    Loop { rows: Vec<Use> },
}

/// Something the summary could not follow: what the template does may be more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub at: Place,
    pub reason: GapReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GapReason {
    /// `{% include name %}`, `{% extends name %}` of a variable.
    DynamicTemplate,
    /// No template of that name.
    NotFound(String),
    /// The template of that name is another engine's (a Jinja2 template includes a name
    /// Django's engine takes, or the other way round).
    OtherEngine(String),
    /// The template includes or extends itself, directly or not.
    Cycle(String),
    /// Deeper than [`MAX_TEMPLATE_DEPTH`].
    TooDeep,
    /// A block inside a block of the same name: Django refuses a template with two
    /// blocks of one name.
    DuplicateBlock(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateSummary {
    pub name: String,
    /// Each context variable the template uses, and its uses in template order.
    pub context: BTreeMap<String, Vec<Use>>,
    pub gaps: Vec<Gap>,
}

/// The summary of the template `name`; `None` when the loader does not find it.
pub fn summarize(name: &str, loader: &dyn TemplateLoader) -> Option<TemplateSummary> {
    let template = loader.load(name)?;
    Some(walk::summarize(template, loader))
}

#[cfg(test)]
mod tests;
