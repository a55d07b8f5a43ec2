//! Field ids of the Python grammar, looked up once. `child_by_field_name` searches the
//! language's field names on every call; analysis walks ask for fields constantly.

use std::sync::LazyLock;

use super::language;

pub struct Fields {
    pub name: u16,
    pub function: u16,
    pub left: u16,
    pub body: u16,
    pub object: u16,
    pub attribute: u16,
    pub right: u16,
    pub value: u16,
    pub parameters: u16,
    pub definition: u16,
    pub condition: u16,
    pub superclasses: u16,
    pub consequence: u16,
    pub arguments: u16,
    pub alias: u16,
    pub subscript: u16,
    pub module_name: u16,
    pub alternative: u16,
    pub type_: u16,
    pub argument: u16,
    pub operator: u16,
}

pub static FIELDS: LazyLock<Fields> = LazyLock::new(|| {
    let language = language();
    let id = |name: &str| {
        language
            .field_id_for_name(name)
            .unwrap_or_else(|| panic!("tree-sitter-python has no field {name:?}"))
            .get()
    };
    Fields {
        name: id("name"),
        function: id("function"),
        left: id("left"),
        body: id("body"),
        object: id("object"),
        attribute: id("attribute"),
        right: id("right"),
        value: id("value"),
        parameters: id("parameters"),
        definition: id("definition"),
        condition: id("condition"),
        superclasses: id("superclasses"),
        consequence: id("consequence"),
        arguments: id("arguments"),
        alias: id("alias"),
        subscript: id("subscript"),
        module_name: id("module_name"),
        alternative: id("alternative"),
        type_: id("type"),
        argument: id("argument"),
        operator: id("operator"),
    }
});

#[cfg(test)]
mod tests {
    #[test]
    fn every_field_exists() {
        assert_ne!(super::FIELDS.function, super::FIELDS.arguments);
    }
}
