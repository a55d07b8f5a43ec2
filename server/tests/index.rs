//! The model index over multi-file fixtures: every test builds `SourceFile`s from inline
//! text with project-relative paths, builds the index and asserts what it holds.

use ormhint::index::{
    Attribute, FieldKind, ImportMap, IndexOptions, ManagerMethod, MethodKind, Model, ModelIndex,
    Prefetch, Resolution, ReverseKind, ReverseRelation,
};
use ormhint::syntax::SourceFile;

fn build_with(files: &[(&str, &str)], options: &IndexOptions) -> ModelIndex {
    let files: Vec<SourceFile> = files
        .iter()
        .map(|(path, source)| SourceFile::new((*path).into(), *source))
        .collect();
    ModelIndex::build(&files, options)
}

fn build(files: &[(&str, &str)]) -> ModelIndex {
    build_with(files, &IndexOptions::default())
}

fn model<'i>(index: &'i ModelIndex, label: &str) -> &'i Model {
    let id = index
        .by_label(label)
        .unwrap_or_else(|| panic!("no model {label} in\n{}", index.render()));
    index.model(id)
}

fn field_names(model: &Model) -> Vec<&str> {
    model.fields.iter().map(|f| f.name.as_str()).collect()
}

/// `FK blog.Post`, `M2M auth.Group`, `plain`, `? reason`.
fn field(index: &ModelIndex, label: &str, name: &str) -> String {
    let model = model(index, label);
    let field = model
        .fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name} on {label}: {:?}", field_names(model)));
    let kind = match &field.kind {
        FieldKind::Plain => return "plain".into(),
        FieldKind::GenericForeignKey => return "GFK".into(),
        FieldKind::ForeignKey(_) => "FK",
        FieldKind::OneToOne(_) => "O2O",
        FieldKind::ManyToMany(_) => "M2M",
        FieldKind::GenericRelation(_) => "GR",
    };
    match &field.relation().unwrap().target {
        Resolution::Resolved(id) => {
            let target = index.model(*id);
            format!("{kind} {}.{}", target.app_label, target.name)
        }
        Resolution::Unresolved { .. } => format!("{kind} ?"),
    }
}

/// Reverse relations of `label` as `accessor/query_name/kind <- App.Model.field`.
fn reverse(index: &ModelIndex, label: &str) -> Vec<String> {
    let describe = |r: &ReverseRelation| {
        let source = index.model(r.source);
        format!(
            "{}/{}/{:?} <- {}.{}.{}",
            r.accessor.as_deref().unwrap_or("-"),
            r.query_name.as_deref().unwrap_or("-"),
            r.kind,
            source.app_label,
            source.name,
            r.field
        )
    };
    model(index, label).reverse.iter().map(describe).collect()
}

fn names(dotted: &str) -> Vec<String> {
    dotted.split('.').map(str::to_string).collect()
}

#[test]
fn every_spelling_of_model_base() {
    let index = build(&[
        (
            "a/models.py",
            "from django.db import models\nclass One(models.Model):\n    x = models.CharField()\n",
        ),
        (
            "b/models.py",
            "from django.db.models import Model, CharField\nclass Two(Model):\n    x = CharField()\n",
        ),
        (
            "c/models.py",
            "import django.db.models as m\nclass Three(m.Model):\n    pass\n",
        ),
        (
            "d/models.py",
            "import django.db.models\nclass Four(django.db.models.Model):\n    pass\n",
        ),
        (
            "e/models.py",
            "from a.models import One\nclass Five(One):\n    pass\nclass NotAModel(object):\n    x = 1\n",
        ),
    ]);
    for label in ["a.One", "b.Two", "c.Three", "d.Four", "e.Five"] {
        assert!(!model(&index, label).is_abstract, "{label}");
    }
    assert_eq!(index.by_label("e.NotAModel"), None);
    assert_eq!(field_names(model(&index, "b.Two")), ["id", "x"]);
    // Multi-table inheritance across files: parent fields plus the `_ptr` link.
    assert_eq!(field_names(model(&index, "e.Five")), ["id", "x", "one_ptr"]);
    assert_eq!(field(&index, "e.Five", "one_ptr"), "O2O a.One");
    assert_eq!(
        reverse(&index, "a.One"),
        ["five/five/OneToOne <- e.Five.one_ptr"]
    );
}

#[test]
fn abstract_base_fields_are_copied_with_class_substituted() {
    let index = build(&[(
        "shop/models.py",
        r#"
from django.db import models
from django.conf import settings

class Owned(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE,
                              related_name="%(app_label)s_%(class)s_owned",
                              related_query_name="%(class)s")
    created = models.DateTimeField(null=True)

    class Meta:
        abstract = True
        ordering = ["-created"]

class Order(Owned):
    total = models.IntegerField()

class Invoice(Owned):
    class Meta:
        ordering = []
"#,
    )]);
    let base = model(&index, "shop.Owned");
    assert!(base.is_abstract);
    assert!(base.has_ordering);
    let order = model(&index, "shop.Order");
    assert!(!order.is_abstract);
    assert!(order.has_ordering, "Meta inherited from the abstract base");
    assert!(!model(&index, "shop.Invoice").has_ordering);
    assert_eq!(field_names(order), ["id", "owner", "created", "total"]);
    assert!(order.fields[2].null);
    let FieldKind::ForeignKey(relation) = &order.fields[1].kind else {
        panic!()
    };
    assert_eq!(relation.related_name.as_deref(), Some("shop_order_owned"));
    assert_eq!(relation.related_query_name.as_deref(), Some("order"));
    assert_eq!(
        reverse(&index, "auth.User"),
        [
            "shop_order_owned/order/ForeignKey <- shop.Order.owner",
            "shop_invoice_owned/invoice/ForeignKey <- shop.Invoice.owner",
        ]
    );
}

#[test]
fn proxy_shares_fields_and_reverse_relations() {
    let index = build(&[(
        "blog/models.py",
        r#"
from django.db import models

class Post(models.Model):
    title = models.CharField(max_length=100)

    class Meta:
        ordering = ["title"]

class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")

class Draft(Post):
    class Meta:
        proxy = True

    @property
    def is_short(self):
        return len(self.title) < 10
"#,
    )]);
    let draft = model(&index, "blog.Draft");
    assert!(draft.is_proxy);
    assert!(draft.has_ordering);
    assert_eq!(field_names(draft), ["id", "title"]);
    assert_eq!(
        reverse(&index, "blog.Draft"),
        ["comments/comments/ForeignKey <- blog.Comment.post"]
    );
    assert!(matches!(
        index.attribute(draft.id, "is_short"),
        Some(Attribute::Method(m)) if m.kind == MethodKind::Property
    ));
}

#[test]
fn multi_table_inheritance() {
    let index = build(&[(
        "places/models.py",
        r#"
from django.db import models

class Place(models.Model):
    name = models.CharField(max_length=50)
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)

class Restaurant(Place):
    serves_pizza = models.BooleanField()
"#,
    )]);
    let restaurant = model(&index, "places.Restaurant");
    assert_eq!(
        field_names(restaurant),
        ["id", "name", "parent", "place_ptr", "serves_pizza"]
    );
    let pk: Vec<&str> = restaurant
        .fields
        .iter()
        .filter(|f| f.primary_key)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(pk, ["id", "place_ptr"]);
    // "self" on the parent still means the parent.
    assert_eq!(
        field(&index, "places.Restaurant", "parent"),
        "FK places.Place"
    );
    assert_eq!(
        reverse(&index, "places.Place"),
        [
            "place_set/place/ForeignKey <- places.Place.parent",
            "restaurant/restaurant/OneToOne <- places.Restaurant.place_ptr",
        ]
    );
    // The child sees the parent's reverse relations; its own link is not duplicated.
    assert_eq!(
        reverse(&index, "places.Restaurant"),
        [
            "place_set/place/ForeignKey <- places.Place.parent",
            "restaurant/restaurant/OneToOne <- places.Restaurant.place_ptr",
        ]
    );
}

#[test]
fn models_package_reexports_and_resolution() {
    let index = build(&[
        ("blog/__init__.py", ""),
        (
            "blog/models/__init__.py",
            "from .post import Post\nfrom .tag import *\n",
        ),
        (
            "blog/models/post.py",
            "from django.db import models\nfrom .tag import Tag\n\nclass Post(models.Model):\n    tags = models.ManyToManyField(Tag)\n",
        ),
        (
            "blog/models/tag.py",
            "from django.db import models\n\nclass Tag(models.Model):\n    name = models.CharField()\n",
        ),
        (
            "blog/views.py",
            "from .models import Post as P\nfrom blog import models as blog_models\nimport blog.models\nfrom blog.models import Tag\n",
        ),
        ("loop/__init__.py", "from loop.a import *\n"),
        ("loop/a.py", "from loop import *\nfrom loop import X\n"),
    ]);
    let post = index.by_label("blog.Post").unwrap();
    let tag = index.by_label("blog.Tag").unwrap();
    assert_eq!(
        model(&index, "blog.Post").path.as_deref(),
        Some("blog/models/post.py".as_ref())
    );
    for (dotted, expected) in [
        ("P", Some(post)),
        ("blog_models.Post", Some(post)),
        ("blog_models.Tag", Some(tag)),
        ("blog.models.Post", Some(post)),
        ("blog.models.post.Post", Some(post)),
        ("Tag", Some(tag)),
        ("Post", None),
        ("Comment", None),
    ] {
        assert_eq!(
            index.resolve_model("blog.views", &names(dotted)),
            expected,
            "{dotted}"
        );
    }
    assert_eq!(index.resolve_model("blog.models", &names("Tag")), Some(tag));
    assert_eq!(
        index.resolve_model("blog.models.post", &names("Post")),
        Some(post)
    );
    // Cyclic re-exports end.
    assert_eq!(index.resolve_model("loop.a", &names("X")), None);
    assert_eq!(index.resolve_model("loop", &names("Y")), None);
    // A buffer newer than the index resolves with its own imports.
    let buffer = SourceFile::new("blog/new.py".into(), "from .models import Tag as T\n");
    assert_eq!(
        index.resolve_with(&ImportMap::of(&buffer), "blog.new", &names("T")),
        Some(tag)
    );
}

#[test]
fn string_targets() {
    let index = build(&[
        (
            "blog/models.py",
            r#"
from django.db import models

class Post(models.Model):
    parent = models.ForeignKey("self", models.CASCADE, null=True)
    author = models.ForeignKey("Author", models.CASCADE)
    editor = models.ForeignKey("people.Person", models.SET_NULL, null=True)
    site = models.ForeignKey(to="sites.Site", on_delete=models.CASCADE)
    ghost = models.ForeignKey("Ghost", models.CASCADE)
    other = models.ForeignKey(Undefined, models.CASCADE)

class Author(models.Model):
    pass
"#,
        ),
        (
            "people/models.py",
            "from django.db import models\nclass Person(models.Model):\n    pass\n",
        ),
    ]);
    assert_eq!(field(&index, "blog.Post", "parent"), "FK blog.Post");
    assert_eq!(field(&index, "blog.Post", "author"), "FK blog.Author");
    assert_eq!(field(&index, "blog.Post", "editor"), "FK people.Person");
    assert_eq!(field(&index, "blog.Post", "site"), "FK sites.Site");
    let post = model(&index, "blog.Post");
    for name in ["ghost", "other"] {
        let field = post.fields.iter().find(|f| f.name == name).unwrap();
        let target = &field.relation().unwrap().target;
        assert!(
            matches!(target, Resolution::Unresolved { reason } if !reason.is_empty()),
            "{name}"
        );
    }
    assert!(
        post.fields
            .iter()
            .find(|f| f.name == "editor")
            .unwrap()
            .null
    );
    assert_eq!(
        reverse(&index, "people.Person"),
        ["post_set/post/ForeignKey <- blog.Post.editor"]
    );
    // Unresolved targets create no reverse relation anywhere.
    assert_eq!(
        reverse(&index, "blog.Author"),
        ["post_set/post/ForeignKey <- blog.Post.author"]
    );
}

const USER_FK: &str = r#"
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

User = get_user_model()

class Post(models.Model):
    by_setting = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    by_call = models.ForeignKey(get_user_model(), models.CASCADE, related_name="posts_called+")
    by_alias = models.ForeignKey(User, models.CASCADE, related_name="posts")
"#;

#[test]
fn auth_user_model_defaults_to_auth_user() {
    let index = build(&[("blog/models.py", USER_FK)]);
    let user = index.by_label("auth.User").unwrap();
    assert_eq!(index.auth_user_model(), Some(user));
    for name in ["by_setting", "by_call", "by_alias"] {
        assert_eq!(field(&index, "blog.Post", name), "FK auth.User", "{name}");
    }
    // `+` (alone or as a suffix) hides both the accessor and the query name.
    assert_eq!(
        reverse(&index, "auth.User"),
        [
            "-/-/ForeignKey <- blog.Post.by_setting",
            "-/-/ForeignKey <- blog.Post.by_call",
            "posts/posts/ForeignKey <- blog.Post.by_alias",
        ]
    );
    assert_eq!(
        index.resolve_model("blog.models", &names("User")),
        Some(user)
    );
    let user = model(&index, "auth.User");
    assert_eq!(
        field_names(user),
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "groups",
            "user_permissions",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ]
    );
    assert_eq!(field(&index, "auth.User", "groups"), "M2M auth.Group");
    assert_eq!(
        reverse(&index, "auth.Group"),
        ["user_set/user/ManyToMany <- auth.User.groups"]
    );
    assert!(user.path.is_none());
}

const ACCOUNTS: &str = r#"
from django.contrib.auth.models import AbstractUser
from django.db import models

class User(AbstractUser):
    bio = models.TextField()
"#;

#[test]
fn auth_user_model_from_settings() {
    let index = build(&[
        ("blog/models.py", USER_FK),
        ("accounts/models.py", ACCOUNTS),
        (
            "config/settings/base.py",
            "AUTH_USER_MODEL = \"accounts.User\"\n",
        ),
    ]);
    let user = index.by_label("accounts.User").unwrap();
    assert_eq!(index.auth_user_model(), Some(user));
    // Django's own User is swapped out.
    assert_eq!(index.by_label("auth.User"), None);
    for name in ["by_setting", "by_call", "by_alias"] {
        assert_eq!(
            field(&index, "blog.Post", name),
            "FK accounts.User",
            "{name}"
        );
    }
    assert!(field_names(model(&index, "accounts.User")).contains(&"username"));
    assert_eq!(
        reverse(&index, "auth.Group"),
        ["user_set/user/ManyToMany <- accounts.User.groups"]
    );
    assert_eq!(
        reverse(&index, "accounts.User"),
        [
            "-/-/ForeignKey <- blog.Post.by_setting",
            "-/-/ForeignKey <- blog.Post.by_call",
            "posts/posts/ForeignKey <- blog.Post.by_alias",
        ]
    );
}

#[test]
fn auth_user_model_from_options_wins() {
    let index = build_with(
        &[
            ("blog/models.py", USER_FK),
            ("accounts/models.py", ACCOUNTS),
            (
                "people/models.py",
                "from django.contrib.auth.base_user import AbstractBaseUser\nfrom django.contrib.auth.models import PermissionsMixin\nclass Member(AbstractBaseUser, PermissionsMixin):\n    pass\n",
            ),
            ("settings.py", "AUTH_USER_MODEL = 'accounts.User'\n"),
        ],
        &IndexOptions {
            auth_user_model: Some("people.Member".into()),
            ..IndexOptions::default()
        },
    );
    assert_eq!(index.auth_user_model(), index.by_label("people.Member"));
    assert_eq!(field(&index, "blog.Post", "by_call"), "FK people.Member");
    assert_eq!(
        field_names(model(&index, "people.Member")),
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "groups",
            "user_permissions"
        ]
    );
}

#[test]
fn reverse_accessor_and_query_names() {
    let index = build(&[(
        "shop/models.py",
        r#"
from django.db import models

class Customer(models.Model):
    pass

class Order(models.Model):
    customer = models.ForeignKey(Customer, models.CASCADE)
    buyer = models.ForeignKey(Customer, models.CASCADE, related_name="purchases")
    payer = models.ForeignKey(Customer, models.CASCADE, related_name="paid", related_query_name="payment")
    hidden = models.ForeignKey(Customer, models.CASCADE, related_name="+")
    hidden_query = models.ForeignKey(Customer, models.CASCADE, related_name="+", related_query_name="hq")

class Profile(models.Model):
    customer = models.OneToOneField(Customer, models.CASCADE)

class Card(models.Model):
    customer = models.OneToOneField(Customer, models.CASCADE, related_name="card_info")

# Django's positional parameters: (to, related_name, related_query_name) of a
# many-to-many, (to, on_delete, related_name, related_query_name) of a foreign key.
class Tag(models.Model):
    customers = models.ManyToManyField(Customer, "tags", "tag")
    owner = models.ForeignKey(Customer, models.CASCADE, "owned_tags", "owned_tag")
    # The to_field of a one-to-one, not a name.
    card = models.OneToOneField(Card, models.CASCADE, "customer")
"#,
    )]);
    assert_eq!(
        reverse(&index, "shop.Customer"),
        [
            "order_set/order/ForeignKey <- shop.Order.customer",
            "purchases/purchases/ForeignKey <- shop.Order.buyer",
            "paid/payment/ForeignKey <- shop.Order.payer",
            "-/-/ForeignKey <- shop.Order.hidden",
            "-/hq/ForeignKey <- shop.Order.hidden_query",
            "profile/profile/OneToOne <- shop.Profile.customer",
            "card_info/card_info/OneToOne <- shop.Card.customer",
            "tags/tag/ManyToMany <- shop.Tag.customers",
            "owned_tags/owned_tag/ForeignKey <- shop.Tag.owner",
        ]
    );
    assert_eq!(
        reverse(&index, "shop.Card"),
        ["tag/tag/OneToOne <- shop.Tag.card"]
    );
    let customer = index.by_label("shop.Customer").unwrap();
    assert!(matches!(
        index.attribute(customer, "order_set"),
        Some(Attribute::Reverse(r)) if r.kind == ReverseKind::ForeignKey
    ));
    let order = index.by_label("shop.Order").unwrap();
    assert!(matches!(
        index.attribute(order, "customer_id"),
        Some(Attribute::Attname(_))
    ));
    assert!(matches!(index.attribute(order, "pk"), Some(Attribute::Pk)));
}

#[test]
fn many_to_many_self_through_and_generic_relations() {
    let index = build(&[(
        "people/models.py",
        r#"
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models

class Person(models.Model):
    friends = models.ManyToManyField("self")
    follows = models.ManyToManyField("self", symmetrical=False, related_name="followers")
    groups = models.ManyToManyField("Club", through="Membership")
    tags = GenericRelation("TaggedItem")
    notes = GenericRelation("TaggedItem", related_query_name="person")

class Club(models.Model):
    pass

class Membership(models.Model):
    person = models.ForeignKey(Person, models.CASCADE)
    club = models.ForeignKey(Club, models.CASCADE)

class TaggedItem(models.Model):
    content_type = models.ForeignKey(ContentType, models.CASCADE)
    object_id = models.PositiveIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
"#,
    )]);
    assert_eq!(
        field(&index, "people.Person", "friends"),
        "M2M people.Person"
    );
    assert_eq!(field(&index, "people.TaggedItem", "content_object"), "GFK");
    assert_eq!(
        field(&index, "people.Person", "tags"),
        "GR people.TaggedItem"
    );
    let person = model(&index, "people.Person");
    let groups = person.fields.iter().find(|f| f.name == "groups").unwrap();
    assert_eq!(
        groups.relation().unwrap().through,
        Some(Resolution::Resolved(
            index.by_label("people.Membership").unwrap()
        ))
    );
    assert_eq!(groups.attname(), None);
    assert_eq!(
        reverse(&index, "people.Person"),
        [
            "followers/followers/ManyToMany <- people.Person.follows",
            "membership_set/membership/ForeignKey <- people.Membership.person",
        ]
    );
    assert_eq!(
        reverse(&index, "people.Club"),
        [
            "person_set/person/ManyToMany <- people.Person.groups",
            "membership_set/membership/ForeignKey <- people.Membership.club",
        ]
    );
    assert_eq!(
        reverse(&index, "people.TaggedItem"),
        ["-/person/Generic <- people.Person.notes"]
    );
    assert_eq!(
        reverse(&index, "contenttypes.ContentType"),
        [
            "permission_set/permission/ForeignKey <- auth.Permission.content_type",
            "taggeditem_set/taggeditem/ForeignKey <- people.TaggedItem.content_type",
        ]
    );
}

const MANAGERS: &str = r#"
from django.db import models
from django.db.models import Prefetch

class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_comments(self):
        return self.prefetch_related(
            "tags",
            Prefetch("comments", queryset=Comment.objects.select_related("author"), to_attr="recent"),
        )

    def published_with_comments(self):
        return self.published().with_comments()

    def titles(self):
        return self.values_list("title", flat=True)

    def total(self):
        return self.count()

class BaseManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author")

class PostManager(BaseManager):
    def recent(self):
        qs = self.get_queryset().only("title")
        return qs.order_by("-id")

    def first_title(self):
        return self.first().title

PublishedManager = models.Manager.from_queryset(PostQuerySet)

class Post(models.Model):
    objects = PostQuerySet.as_manager()
    authored = PostManager()
    mixed = PostManager.from_queryset(PostQuerySet)()
    published = PublishedManager()
    plain = models.Manager()
    vendor = ThirdPartyManager()

class Comment(models.Model):
    post = models.ForeignKey(Post, models.CASCADE, related_name="comments")

class Base(models.Model):
    things = PostManager()

    class Meta:
        abstract = True

class Child(Base):
    pass
"#;

#[test]
fn managers_and_querysets() {
    use ormhint::index::Applied;
    let index = build(&[("blog/models.py", MANAGERS)]);
    let post = index.by_label("blog.Post").unwrap();
    let names: Vec<&str> = model(&index, "blog.Post")
        .managers
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "objects",
            "authored",
            "mixed",
            "published",
            "plain",
            "vendor"
        ]
    );

    let objects = index.manager(post, "objects").unwrap();
    assert_eq!(objects.applied, Applied::default());
    assert!(!objects.opaque);
    assert_eq!(
        objects.methods["published"],
        ManagerMethod::Queryset(Applied::default())
    );
    let comments = Applied {
        prefetch_related: vec![
            Prefetch {
                lookup: "tags".into(),
                to_attr: None,
                queryset: false,
            },
            // Its own queryset selects "author": what lies below "comments" is unknown.
            Prefetch {
                lookup: "comments".into(),
                to_attr: Some("recent".into()),
                queryset: true,
            },
        ],
        ..Applied::default()
    };
    assert_eq!(
        objects.methods["with_comments"],
        ManagerMethod::Queryset(comments.clone())
    );
    assert_eq!(
        objects.methods["published_with_comments"],
        ManagerMethod::Queryset(comments)
    );
    assert_eq!(
        objects.methods["titles"],
        ManagerMethod::Queryset(Applied {
            values: true,
            ..Applied::default()
        })
    );
    assert_eq!(objects.methods["total"], ManagerMethod::Other);

    let by_author = Applied {
        select_related: vec!["author".into()],
        ..Applied::default()
    };
    let authored = index.manager(post, "authored").unwrap();
    assert_eq!(authored.applied, by_author);
    assert_eq!(
        authored.methods["recent"],
        ManagerMethod::Queryset(Applied {
            select_related: vec!["author".into()],
            only: Some(vec!["title".into()]),
            ..Applied::default()
        })
    );
    assert_eq!(authored.methods["first_title"], ManagerMethod::Other);
    assert!(!authored.methods.contains_key("get_queryset"));

    let mixed = index.manager(post, "mixed").unwrap();
    assert_eq!(mixed.applied, by_author);
    assert!(mixed.methods.contains_key("recent") && mixed.methods.contains_key("published"));
    assert_eq!(
        mixed.methods["published"],
        ManagerMethod::Queryset(by_author.clone())
    );

    let published = index.manager(post, "published").unwrap();
    assert_eq!(published.applied, Applied::default());
    assert!(published.methods.contains_key("with_comments"));

    let plain = index.manager(post, "plain").unwrap();
    assert!(!plain.opaque && plain.methods.is_empty());
    assert!(index.manager(post, "vendor").unwrap().opaque);

    // A model without managers gets `objects`; abstract bases pass theirs on.
    let comment = index.by_label("blog.Comment").unwrap();
    assert_eq!(index.manager(comment, "objects").unwrap().methods.len(), 0);
    let child = index.by_label("blog.Child").unwrap();
    assert_eq!(index.manager(child, "things").unwrap().applied, by_author);
    assert!(index.manager(child, "objects").is_none());
}

#[test]
fn methods_properties_and_unknown_bases() {
    let index = build(&[(
        "blog/models.py",
        r#"
import functools
from django.db import models
from django.utils.functional import cached_property
from third_party import TimestampMixin

class Describable:
    def describe(self):
        return self.title

class Post(Describable, models.Model):
    title = models.CharField()

    def __str__(self):
        return self.title

    @cached_property
    def author_name(self):
        return self.author.name

    @functools.cached_property
    def size(self):
        return len(self.body)

    @property
    def short(self):
        return self.title[:10]

    @short.setter
    def short(self, value):
        self.title = value

class Stamped(TimestampMixin, models.Model):
    pass
"#,
    )]);
    let post = model(&index, "blog.Post");
    let methods: Vec<(&str, MethodKind)> = post
        .methods
        .iter()
        .map(|m| (m.name.as_str(), m.kind))
        .collect();
    assert_eq!(
        methods,
        [
            ("__str__", MethodKind::Method),
            ("author_name", MethodKind::CachedProperty),
            ("size", MethodKind::CachedProperty),
            ("short", MethodKind::Property),
            ("describe", MethodKind::Method),
        ]
    );
    assert_eq!(post.methods[1].self_uses.len(), 1);
    assert!(!post.has_unknown_bases);
    assert!(model(&index, "blog.Stamped").has_unknown_bases);
}

#[test]
fn app_labels() {
    let index = build(&[
        (
            "shop/orders/apps.py",
            "from django.apps import AppConfig\nclass OrdersConfig(AppConfig):\n    name = 'shop.orders'\n    label = 'shop_orders'\n",
        ),
        (
            "shop/orders/models.py",
            "from django.db import models\nclass Order(models.Model):\n    pass\n",
        ),
        (
            "shop/billing/models.py",
            "from django.db import models\nclass Bill(models.Model):\n    order = models.ForeignKey('shop_orders.Order', models.CASCADE)\n",
        ),
        (
            "core/models.py",
            "from django.db import models\nclass Thing(models.Model):\n    class Meta:\n        app_label = 'stuff'\n",
        ),
        // Models in sub-packages of one app with a single apps.py (DefectDojo's layout).
        (
            "dojo/apps.py",
            "from django.apps import AppConfig\nclass DojoConfig(AppConfig):\n    name = 'dojo'\n",
        ),
        (
            "dojo/finding/models.py",
            "from django.db import models\nclass Finding(models.Model):\n    endpoints = models.ManyToManyField('dojo.Endpoint')\n",
        ),
        (
            "dojo/endpoint/models/__init__.py",
            "from django.db import models\nclass Endpoint(models.Model):\n    pass\n",
        ),
    ]);
    assert_eq!(model(&index, "shop_orders.Order").name, "Order");
    assert_eq!(
        field(&index, "billing.Bill", "order"),
        "FK shop_orders.Order"
    );
    assert!(index.by_label("stuff.Thing").is_some());
    assert!(index.by_label("STUFF.thing").is_none());
    assert!(index.by_label("stuff.THING").is_some());
    assert_eq!(
        field(&index, "dojo.Finding", "endpoints"),
        "M2M dojo.Endpoint"
    );
    assert!(index.by_label("finding.Finding").is_none());
}

#[test]
fn broken_and_cyclic_code_never_panics() {
    let index = build(&[
        (
            "blog/models.py",
            "from django.db import models\n\nclass Post(models.Model):\n    title = models.CharField(\n    def broken(self:\n\nclass Tag(models.Model):\n    name = models.CharField()\n",
        ),
        (
            "cyc/models.py",
            "class A(B):\n    pass\nclass B(A):\n    pass\n",
        ),
        (
            "cyc2/models.py",
            "from django.db import models\nclass A(models.Model, B):\n    x = models.ForeignKey('B', models.CASCADE)\nclass B(A):\n    pass\n",
        ),
        ("empty/models.py", ""),
        (
            "weird/models.py",
            "class = 1\nfrom . import\nimport\nx: int = models.Model(\n",
        ),
    ]);
    assert!(index.by_label("blog.Tag").is_some());
    assert!(index.by_label("cyc.A").is_none());
    assert!(index.by_label("cyc2.B").is_some());
    let _ = index.render();
}

#[test]
fn incremental_rebuild_replaces_one_file() {
    let files = [
        (
            "blog/models.py",
            "from django.db import models\nclass Post(models.Model):\n    pass\n",
        ),
        ("blog/views.py", "from .models import Post\n"),
    ];
    let index = build(&files);
    assert!(index.by_label("blog.Post").is_some());
    let changed = SourceFile::new(
        "blog/models.py".into(),
        "from django.db import models\nclass Article(models.Model):\n    pass\n",
    );
    let index = index.with_file(
        ormhint::index::extract(&changed).into(),
        &IndexOptions::default(),
    );
    assert!(index.by_label("blog.Post").is_none());
    assert!(index.by_label("blog.Article").is_some());
    assert_eq!(index.resolve_model("blog.views", &names("Post")), None);
}

#[test]
fn render_multi_app_project() {
    let index = build(&[
        ("config/settings.py", "AUTH_USER_MODEL = 'accounts.User'\n"),
        ("accounts/models.py", ACCOUNTS),
        ("blog/models.py", MANAGERS),
        (
            "shop/models.py",
            r#"
from django.conf import settings
from django.db import models

class Product(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

class Order(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="orders")
    items = models.ManyToManyField(Product, through="OrderItem")

    @property
    def total(self):
        return sum(item.price for item in self.orderitem_set.all())

class OrderItem(models.Model):
    order = models.ForeignKey(Order, models.CASCADE)
    product = models.ForeignKey(Product, models.PROTECT, null=True)
"#,
        ),
    ]);
    insta::assert_snapshot!(index.render());
}

#[test]
fn manager_classes_across_modules_and_branches() {
    use ormhint::index::Applied;
    let index = build(&[
        (
            "core/managers.py",
            r#"
from django.db import models

class BaseQuerySet(models.QuerySet):
    def visible(self, user=None):
        if user is None:
            return self.none()
        elif user.is_staff:
            return self.all()
        return self.filter(owner=user).select_related("owner")

    def counted(self):
        if self.exists():
            return self.count()
        return self.none()

class ArticleQuerySet(BaseQuerySet):
    def listed(self):
        def helper():
            return 1
        return self.visible().defer("body")

ArticleManager = models.Manager.from_queryset(ArticleQuerySet)
"#,
        ),
        (
            "news/models.py",
            "from django.db import models\nfrom core.managers import ArticleManager\n\nclass Article(models.Model):\n    objects = ArticleManager()\n",
        ),
    ]);
    let article = index.by_label("news.Article").unwrap();
    let objects = index.manager(article, "objects").unwrap();
    assert!(!objects.opaque);
    let visible = Applied {
        select_related: vec!["owner".into()],
        ..Applied::default()
    };
    assert_eq!(objects.methods["visible"], ManagerMethod::Queryset(visible));
    assert_eq!(objects.methods["counted"], ManagerMethod::Other);
    assert_eq!(
        objects.methods["listed"],
        ManagerMethod::Queryset(Applied {
            select_related: vec!["owner".into()],
            defer: vec!["body".into()],
            ..Applied::default()
        })
    );
}

const FROM_QUERYSET_BASES: &str = r#"
from django.db import models
from django.db.models.manager import BaseManager
from vendor.managers import VendorManager

class OrderQuerySet(models.QuerySet):
    def paid(self):
        return self.filter(status="paid")

    def with_customer(self):
        return self.select_related("customer")

    def create_for(self, user):
        return self.filter(customer=user)

    def _private(self):
        return self.all()

class OrderManager(models.Manager.from_queryset(OrderQuerySet)):
    def create_for(self, user, **kwargs):
        return self.create(customer=user, **kwargs)

class OrderWithItemsManager(OrderManager):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("items__product")

class Bare(BaseManager.from_queryset(OrderQuerySet)):
    pass

class MyBaseManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("shop")

    def paid(self):
        return self.filter(status="paid").defer("notes")

class Mine(MyBaseManager.from_queryset(OrderQuerySet)):
    pass

class Joined(models.Manager.from_queryset(OrderQuerySet)):
    def get_queryset(self):
        return super().get_queryset().with_customer()

Aliased = models.Manager.from_queryset(OrderQuerySet)

class FromAlias(Aliased):
    def recent(self):
        return self.order_by("-id")

class Vendored(VendorManager.from_queryset(OrderQuerySet)):
    pass

class Order(models.Model):
    objects = OrderManager()
    with_items = OrderWithItemsManager()
    bare = Bare()
    mine = Mine()
    joined = Joined()
    from_alias = FromAlias()
    vendored = Vendored()
"#;

#[test]
fn manager_classes_based_on_from_queryset() {
    use ormhint::index::{Applied, Manager};
    let index = build(&[("orders/models.py", FROM_QUERYSET_BASES)]);
    let order = index.by_label("orders.Order").unwrap();
    let methods = |manager: &Manager| {
        let mut names: Vec<String> = manager.methods.keys().cloned().collect();
        names.sort_unstable();
        names
    };
    let queryset = |applied: Applied| ManagerMethod::Queryset(applied);

    // The queryset's methods become the manager's; the manager's own win.
    let objects = index.manager(order, "objects").unwrap();
    assert!(!objects.opaque);
    assert_eq!(objects.applied, Applied::default());
    assert_eq!(methods(objects), ["create_for", "paid", "with_customer"]);
    assert_eq!(objects.methods["paid"], queryset(Applied::default()));
    assert_eq!(objects.methods["create_for"], ManagerMethod::Other);
    let customer = Applied {
        select_related: vec!["customer".into()],
        ..Applied::default()
    };
    assert_eq!(objects.methods["with_customer"], queryset(customer.clone()));

    // A subclass inherits them, on top of its own `get_queryset()`.
    let items = Applied {
        prefetch_related: vec![Prefetch {
            lookup: "items__product".into(),
            to_attr: None,
            queryset: false,
        }],
        ..Applied::default()
    };
    let with_items = index.manager(order, "with_items").unwrap();
    assert!(!with_items.opaque);
    assert_eq!(with_items.applied, items);
    assert_eq!(methods(with_items), ["create_for", "paid", "with_customer"]);
    assert_eq!(with_items.methods["paid"], queryset(items.clone()));
    assert_eq!(
        with_items.methods["with_customer"],
        queryset(Applied {
            select_related: vec!["customer".into()],
            prefetch_related: items.prefetch_related.clone(),
            ..Applied::default()
        })
    );
    assert_eq!(with_items.methods["create_for"], ManagerMethod::Other);

    // `BaseManager.from_queryset(...)` is Django's too.
    let bare = index.manager(order, "bare").unwrap();
    assert!(!bare.opaque);
    assert_eq!(methods(bare), ["create_for", "paid", "with_customer"]);
    assert_eq!(bare.methods["create_for"], queryset(Applied::default()));

    // A project manager as the receiver: its `get_queryset()` counts, its methods win.
    let shop = Applied {
        select_related: vec!["shop".into()],
        ..Applied::default()
    };
    let mine = index.manager(order, "mine").unwrap();
    assert!(!mine.opaque);
    assert_eq!(mine.applied, shop);
    assert_eq!(methods(mine), ["create_for", "paid", "with_customer"]);
    assert_eq!(
        mine.methods["paid"],
        queryset(Applied {
            select_related: vec!["shop".into()],
            defer: vec!["notes".into()],
            ..Applied::default()
        })
    );
    assert_eq!(
        mine.methods["with_customer"],
        queryset(Applied {
            select_related: vec!["shop".into(), "customer".into()],
            ..Applied::default()
        })
    );

    // `get_queryset()` calling a queryset method applies what that method applies.
    let joined = index.manager(order, "joined").unwrap();
    assert_eq!(joined.applied, customer);
    assert_eq!(joined.methods["paid"], queryset(customer.clone()));

    // A base naming a `from_queryset()` alias.
    let from_alias = index.manager(order, "from_alias").unwrap();
    assert!(!from_alias.opaque);
    assert_eq!(
        methods(from_alias),
        ["create_for", "paid", "recent", "with_customer"]
    );

    // An unknown receiver: its methods may be anything; the queryset's are still known.
    let vendored = index.manager(order, "vendored").unwrap();
    assert!(vendored.opaque);
    assert_eq!(vendored.methods["paid"], queryset(Applied::default()));
}

#[test]
fn annotations_in_managers_and_querysets() {
    use ormhint::index::Applied;
    let index = build(&[(
        "blog/models.py",
        r#"
from django.db import models
from django.db.models import Count, Sum
from django.db.models.functions import Lower

class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_counts(self):
        return self.annotate(n=Count("comments"))

    def aliased(self):
        return self.alias(n=Count("comments")).filter(n__gt=1)

    def extra_columns(self):
        return self.extra(select={"one": "1"})

    def popular(self):
        return self.with_counts().filter(n__gt=10)

    def titles(self):
        return self.values("title")

    def title_list(self):
        return self.values_list("title", flat=True)

    def totals(self):
        return self.values("author").values(total=Sum("words"))

    def lowered(self):
        return self.values_list(Lower("title"), flat=True)

class Counted(models.Manager):
    def get_queryset(self):
        return super().get_queryset().annotate(n=Count("comments"))

class Unreadable(models.Manager):
    def get_queryset(self):
        return build_queryset(self.model)

    def mine(self):
        return self.filter(owner=1)

class Post(models.Model):
    objects = PostQuerySet.as_manager()
    counted = Counted()
    unreadable = Unreadable()
"#,
    )]);
    let post = index.by_label("blog.Post").unwrap();
    let annotated = Applied {
        annotates: true,
        ..Applied::default()
    };
    let objects = index.manager(post, "objects").unwrap();
    assert_eq!(objects.applied, Applied::default());
    let method = |name: &str| &objects.methods[name];
    assert_eq!(
        method("published"),
        &ManagerMethod::Queryset(Applied::default())
    );
    for name in ["with_counts", "aliased", "extra_columns", "popular"] {
        assert_eq!(
            method(name),
            &ManagerMethod::Queryset(annotated.clone()),
            "{name}"
        );
    }
    let values = Applied {
        values: true,
        ..Applied::default()
    };
    assert_eq!(method("titles"), &ManagerMethod::Queryset(values.clone()));
    assert_eq!(method("title_list"), &ManagerMethod::Queryset(values));
    let annotated_values = Applied {
        values: true,
        annotates: true,
        ..Applied::default()
    };
    for name in ["totals", "lowered"] {
        assert_eq!(
            method(name),
            &ManagerMethod::Queryset(annotated_values.clone()),
            "{name}"
        );
    }

    let counted = index.manager(post, "counted").unwrap();
    assert_eq!(counted.applied, annotated);
    assert!(!counted.opaque);

    // A `get_queryset()` we cannot read may have annotated anything.
    let unknown = Applied {
        unknown: true,
        annotates: true,
        ..Applied::default()
    };
    let unreadable = index.manager(post, "unreadable").unwrap();
    assert_eq!(unreadable.applied, unknown);
    assert_eq!(
        unreadable.methods["mine"],
        ManagerMethod::Queryset(unknown.clone())
    );
}

#[test]
fn django_managers_are_known_not_opaque() {
    use ormhint::index::{Applied, Manager};
    let index = build(&[
        ("shop/settings.py", "AUTH_USER_MODEL = 'accounts.User'\n"),
        (
            "accounts/models.py",
            r#"
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser, GroupManager, PermissionManager, UserManager
from django.contrib.contenttypes.models import ContentTypeManager
from django.db import models

class CustomerManager(UserManager):
    def get_queryset(self):
        return super().get_queryset().filter(is_staff=False).select_related("profile")

class User(AbstractUser):
    objects = UserManager()
    customers = CustomerManager()
    base = BaseUserManager()
    grouped = GroupManager()
    permitted = PermissionManager()
    typed = ContentTypeManager()

class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
"#,
        ),
    ]);
    // Every method of these managers returns something other than a queryset.
    let others = |manager: &Manager| {
        assert!(!manager.opaque, "{} is opaque", manager.name);
        let mut names: Vec<String> = manager
            .methods
            .iter()
            .map(|(name, method)| {
                assert_eq!(method, &ManagerMethod::Other, "{}.{name}", manager.name);
                name.clone()
            })
            .collect();
        names.sort_unstable();
        names
    };
    let user = index.by_label("accounts.User").unwrap();
    let user_methods = [
        "create_superuser",
        "create_user",
        "get_by_natural_key",
        "normalize_email",
        "with_perm",
    ];
    let objects = index.manager(user, "objects").unwrap();
    assert_eq!(objects.applied, Applied::default());
    assert_eq!(others(objects), user_methods);
    let customers = index.manager(user, "customers").unwrap();
    assert_eq!(
        customers.applied,
        Applied {
            select_related: vec!["profile".into()],
            ..Applied::default()
        }
    );
    assert_eq!(others(customers), user_methods);
    let base = index.manager(user, "base").unwrap();
    assert_eq!(others(base), ["get_by_natural_key", "normalize_email"]);
    assert_eq!(
        others(index.manager(user, "grouped").unwrap()),
        ["get_by_natural_key"]
    );
    assert_eq!(
        others(index.manager(user, "permitted").unwrap()),
        ["get_by_natural_key"]
    );
    let content_types = [
        "clear_cache",
        "get_by_natural_key",
        "get_for_id",
        "get_for_model",
        "get_for_models",
    ];
    assert_eq!(others(index.manager(user, "typed").unwrap()), content_types);

    // Django's own models use them.
    for (label, methods) in [
        ("auth.Group", &["get_by_natural_key"][..]),
        ("auth.Permission", &["get_by_natural_key"][..]),
        ("contenttypes.ContentType", &content_types[..]),
    ] {
        let id = index.by_label(label).unwrap();
        let manager = index.manager(id, "objects").unwrap();
        assert_eq!(manager.applied, Applied::default(), "{label}");
        assert_eq!(others(manager), methods, "{label}");
    }
}

#[test]
fn shop_fixture_managers() {
    use ormhint::config::Config;
    use ormhint::index::Applied;
    use ormhint::project::{CheckTarget, Project};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/shop");
    let config = Config::load(&root, None).unwrap();
    let project = Project::load(&CheckTarget::root(&root), &config).unwrap();
    let index = &project.index;

    let order = index.by_label("sales.Order").unwrap();
    let names: Vec<&str> = index
        .model(order)
        .managers
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["objects", "with_items"]);
    let objects = index.manager(order, "objects").unwrap();
    assert!(!objects.opaque);
    assert_eq!(
        objects.methods["paid"],
        ManagerMethod::Queryset(Applied::default())
    );
    assert_eq!(objects.methods["create_for"], ManagerMethod::Other);
    let with_items = index.manager(order, "with_items").unwrap();
    assert!(!with_items.opaque);
    let items = Applied {
        prefetch_related: vec![Prefetch {
            lookup: "items__product".into(),
            to_attr: None,
            queryset: false,
        }],
        ..Applied::default()
    };
    assert_eq!(with_items.applied, items);
    assert_eq!(with_items.methods["paid"], ManagerMethod::Queryset(items));

    let user = index.by_label("accounts.User").unwrap();
    assert_eq!(index.auth_user_model(), Some(user));
    let objects = index.manager(user, "objects").unwrap();
    assert!(!objects.opaque);
    assert_eq!(objects.methods["create_user"], ManagerMethod::Other);
    let customers = index.manager(user, "customers").unwrap();
    assert!(!customers.opaque);
    assert_eq!(customers.applied.select_related, ["profile"]);
}

#[test]
fn abstract_models_get_no_implicit_manager() {
    let index = build(&[(
        "notes/models.py",
        r#"
from django.db import models

class Stamped(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True

class Note(Stamped):
    pass

class Lonely(models.Model):
    class Meta:
        abstract = True
"#,
    )]);
    let managers = |label: &str| -> Vec<String> {
        model(&index, label)
            .managers
            .iter()
            .map(|m| m.name.clone())
            .collect()
    };
    // Django adds `objects` when it prepares a model, which it never does for an
    // abstract one; declared managers stay (children inherit them). What an abstract
    // model has is what its concrete children share (its methods run on them).
    assert!(managers("notes.Lonely").is_empty());
    assert_eq!(managers("notes.Stamped"), ["objects"]);
    assert_eq!(managers("notes.Note"), ["objects"]);
    assert_eq!(managers("auth.AbstractBaseUser"), ["objects"]);
    assert_eq!(managers("auth.AbstractUser"), ["objects"]);
}

const SECOND_MANAGERS: &str = r#"
from django.db import models
from vendor.mixins import VendorMixin

class AManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("b")

class TypedManager(models.Manager["Typed"]):
    def get_queryset(self):
        return super().get_queryset().select_related("b")

class TypedQuerySet(models.QuerySet["Typed"]):
    def live(self):
        return self.filter(live=True)

class VendorManager(VendorMixin):
    pass

class Helper:
    pass

class B(models.Model):
    pass

class A(models.Model):
    b = models.ForeignKey(B, models.CASCADE)
    objects = AManager()
    all_objects = models.Manager()

class Typed(models.Model):
    b = models.ForeignKey(B, models.CASCADE)
    objects = TypedManager()
    listed = TypedQuerySet.as_manager()
    all_objects = models.Manager()

class Vendored(models.Model):
    objects = VendorManager()
    all_objects = models.Manager()

class WithHelper(models.Model):
    helper = Helper()

class OnlyOther(models.Model):
    all_objects = models.Manager()

class Parent(models.Model):
    pass

class Child(Parent):
    all_objects = models.Manager()

class Grandchild(Child):
    pass
"#;

#[test]
fn every_declared_manager_is_kept_under_its_name() {
    use ormhint::index::Applied;
    let index = build(&[("app/models.py", SECOND_MANAGERS)]);
    let names = |label: &str| -> Vec<String> {
        model(&index, label)
            .managers
            .iter()
            .map(|m| m.name.clone())
            .collect()
    };
    let selects_b = Applied {
        select_related: vec!["b".into()],
        ..Applied::default()
    };

    // Declared ones, in declaration order: the first is Django's default manager.
    assert_eq!(names("app.A"), ["objects", "all_objects"]);
    let a = index.by_label("app.A").unwrap();
    let objects = index.manager(a, "objects").unwrap();
    assert!(!objects.opaque);
    assert_eq!(objects.applied, selects_b);
    let all_objects = index.manager(a, "all_objects").unwrap();
    assert!(!all_objects.opaque && all_objects.methods.is_empty());
    assert_eq!(all_objects.applied, Applied::default());

    // Generic aliases (`models.Manager["Typed"]`) are the class they subscript.
    assert_eq!(names("app.Typed"), ["objects", "listed", "all_objects"]);
    let typed = index.by_label("app.Typed").unwrap();
    let objects = index.manager(typed, "objects").unwrap();
    assert!(!objects.opaque);
    assert_eq!(objects.applied, selects_b);
    let listed = index.manager(typed, "listed").unwrap();
    assert!(!listed.opaque);
    assert_eq!(
        listed.methods["live"],
        ManagerMethod::Queryset(Applied::default())
    );

    // A project class named like a manager on a base we cannot read: opaque, kept.
    assert_eq!(names("app.Vendored"), ["objects", "all_objects"]);
    let vendored = index.by_label("app.Vendored").unwrap();
    assert!(index.manager(vendored, "objects").unwrap().opaque);

    // Not a manager: Django still adds `objects`.
    assert_eq!(names("app.WithHelper"), ["objects"]);
    // A declared manager: no `objects` unless declared.
    assert_eq!(names("app.OnlyOther"), ["all_objects"]);
    // The `objects` Django gave a concrete parent is inherited after the child's own.
    assert_eq!(names("app.Child"), ["all_objects", "objects"]);
    assert_eq!(names("app.Grandchild"), ["all_objects", "objects"]);
}

const QUERYSET_INSTANCES: &str = r#"
from django.db import models
from vendor.querysets import VendorQuerySet
from blog import querysets

class PostQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_author(self):
        return self.select_related("author")

    def _visible(self):
        return self.filter(hidden=False)

class Positional(models.Manager):
    def get_queryset(self):
        return PostQuerySet(self.model, using=self._db)

    def published(self):
        return self.get_queryset().published()

    def with_author(self):
        return self.get_queryset().filter(x=1).with_author()

    def visible(self):
        qs = self.get_queryset()
        return qs._visible()

    def missing(self):
        return self.get_queryset().nowhere()

    def count_published(self):
        return self.get_queryset().published().count()

class Bare(models.Manager):
    def get_queryset(self):
        return PostQuerySet(self.model)

class Keywords(models.Manager):
    def get_queryset(self):
        return PostQuerySet(model=self.model, using=self._db).select_related("category")

    def published(self):
        return self.get_queryset().published()

class Chained(Keywords):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")

class Reset(Keywords):
    def get_queryset(self):
        return PostQuerySet(self.model, using=self._db)

class Imported(models.Manager):
    def get_queryset(self):
        return querysets.OtherQuerySet(self.model, using=self._db)

    def recent(self):
        return self.get_queryset().recent()

class Vendor(models.Manager):
    def get_queryset(self):
        return VendorQuerySet(self.model, using=self._db)

class Built(models.Manager):
    def get_queryset(self):
        return build_queryset(self.model)

class Queried(models.Manager):
    def get_queryset(self):
        return PostQuerySet(self.model, query=self.query)

class Plain(models.Manager):
    def get_queryset(self):
        return models.QuerySet(self.model, using=self._db).select_related("author")

class Post(models.Model):
    positional = Positional()
    bare = Bare()
    keywords = Keywords()
    chained = Chained()
    reset = Reset()
    imported = Imported()
    vendor = Vendor()
    built = Built()
    queried = Queried()
    plain = Plain()
"#;

#[test]
fn get_queryset_returning_a_queryset_instance() {
    use ormhint::index::{Applied, Manager};
    let index = build(&[
        ("blog/models.py", QUERYSET_INSTANCES),
        (
            "blog/querysets.py",
            "from django.db import models\n\nclass OtherQuerySet(models.QuerySet):\n    def recent(self):\n        return self.order_by(\"-id\").defer(\"body\")\n",
        ),
    ]);
    let post = index.by_label("blog.Post").unwrap();
    let manager = |name: &str| -> &Manager { index.manager(post, name).unwrap() };
    let methods = |manager: &Manager| {
        let mut names: Vec<String> = manager.methods.keys().cloned().collect();
        names.sort_unstable();
        names
    };
    let queryset = |applied: Applied| ManagerMethod::Queryset(applied);
    let select = |names: &[&str]| Applied {
        select_related: names.iter().map(|n| n.to_string()).collect(),
        ..Applied::default()
    };
    let unknown = Applied {
        unknown: true,
        annotates: true,
        ..Applied::default()
    };

    // A new instance applies nothing; proxies reach the queryset class's methods.
    let positional = manager("positional");
    assert!(!positional.opaque);
    assert_eq!(positional.applied, Applied::default());
    assert_eq!(
        methods(positional),
        [
            "count_published",
            "missing",
            "published",
            "visible",
            "with_author"
        ]
    );
    assert_eq!(
        positional.methods["published"],
        queryset(Applied::default())
    );
    assert_eq!(
        positional.methods["with_author"],
        queryset(select(&["author"]))
    );
    assert_eq!(positional.methods["visible"], queryset(Applied::default()));
    assert_eq!(positional.methods["missing"], ManagerMethod::Other);
    assert_eq!(positional.methods["count_published"], ManagerMethod::Other);

    let bare = manager("bare");
    assert!(!bare.opaque && bare.methods.is_empty());
    assert_eq!(bare.applied, Applied::default());

    // Keywords, then a chain on the instance.
    let keywords = manager("keywords");
    assert!(!keywords.opaque);
    assert_eq!(keywords.applied, select(&["category"]));
    assert_eq!(
        keywords.methods["published"],
        queryset(select(&["category"]))
    );

    // A subclass's `super().get_queryset()` builds on its parent's; a new instance
    // starts over.
    let tags = Applied {
        select_related: vec!["category".into()],
        prefetch_related: vec![Prefetch {
            lookup: "tags".into(),
            to_attr: None,
            queryset: false,
        }],
        ..Applied::default()
    };
    let chained = manager("chained");
    assert_eq!(chained.applied, tags);
    assert_eq!(chained.methods["published"], queryset(tags.clone()));
    let reset = manager("reset");
    assert_eq!(reset.applied, Applied::default());
    assert_eq!(reset.methods["published"], queryset(Applied::default()));

    // The queryset class may live in another module.
    let imported = manager("imported");
    assert!(!imported.opaque);
    assert_eq!(imported.applied, Applied::default());
    assert_eq!(
        imported.methods["recent"],
        queryset(Applied {
            defer: vec!["body".into()],
            ..Applied::default()
        })
    );

    // Outside the project: applies nothing we know of, its methods are unknown.
    let vendor = manager("vendor");
    assert!(vendor.opaque);
    assert_eq!(vendor.applied, Applied::default());

    // Not a queryset class, or a query passed in: unreadable.
    assert_eq!(manager("built").applied, unknown);
    assert_eq!(manager("queried").applied, unknown);

    // Django's own QuerySet.
    let plain = manager("plain");
    assert!(!plain.opaque);
    assert_eq!(plain.applied, select(&["author"]));
}

const FROM_QUERYSET_GET_QUERYSET: &str = r#"
from django.db import models

class AQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)

    def with_c(self):
        return self.select_related("c")

    def both(self):
        return self.live().with_c()

class AManager(models.Manager.from_queryset(AQuerySet)):
    def get_queryset(self):
        return super().get_queryset().select_related("b")

    def recent(self):
        return self.live().order_by("-id")

class PrefetchingManager(AManager):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")

class A(models.Model):
    objects = AManager()
    all_objects = models.Manager()
    prefetching = PrefetchingManager()
"#;

#[test]
fn from_queryset_manager_get_queryset_applies_to_every_method() {
    use ormhint::index::{Applied, Manager};
    let index = build(&[("app/models.py", FROM_QUERYSET_GET_QUERYSET)]);
    let a = index.by_label("app.A").unwrap();
    let names: Vec<&str> = index
        .model(a)
        .managers
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["objects", "all_objects", "prefetching"]);
    let with = |select: &[&str], prefetch: &[&str]| Applied {
        select_related: select.iter().map(|n| n.to_string()).collect(),
        prefetch_related: prefetch
            .iter()
            .map(|n| Prefetch {
                lookup: n.to_string(),
                to_attr: None,
                queryset: false,
            })
            .collect(),
        ..Applied::default()
    };
    let check = |manager: &Manager, applied: Applied, with_c: Applied| {
        assert!(!manager.opaque, "{}", manager.name);
        assert_eq!(manager.applied, applied, "{}", manager.name);
        let mut methods: Vec<&str> = manager.methods.keys().map(String::as_str).collect();
        methods.sort_unstable();
        assert_eq!(methods, ["both", "live", "recent", "with_c"]);
        for name in ["live", "recent"] {
            assert_eq!(
                manager.methods[name],
                ManagerMethod::Queryset(applied.clone()),
                "{}.{name}",
                manager.name
            );
        }
        for name in ["with_c", "both"] {
            assert_eq!(
                manager.methods[name],
                ManagerMethod::Queryset(with_c.clone()),
                "{}.{name}",
                manager.name
            );
        }
    };
    check(
        index.manager(a, "objects").unwrap(),
        with(&["b"], &[]),
        with(&["b", "c"], &[]),
    );
    check(
        index.manager(a, "prefetching").unwrap(),
        with(&["b"], &["tags"]),
        with(&["b", "c"], &["tags"]),
    );
    let all_objects = index.manager(a, "all_objects").unwrap();
    assert_eq!(all_objects.applied, Applied::default());
}

/// A statement being typed in a models file (`f` of `for`) wraps the module in one ERROR
/// node: the models before it stay in the index, the one it cuts off and the ones after
/// it (in pieces) do not, rather than with fields missing.
#[test]
fn models_before_a_half_typed_statement_stay() {
    let source = "from django.db import models\n\n\n\
        class Author(models.Model):\n    name = models.CharField(max_length=10)\n\n\n\
        class Post(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n\n\
        \x20   def titles(self):\n        out = []\n        f or tag in self.tags.all():\n\
        \x20           out.append(tag.name)\n        return out\n\n\
        \x20   tags = models.ManyToManyField(\"Tag\")\n\n\n\
        class Tag(models.Model):\n    name = models.CharField(max_length=10)\n";
    let tree = ormhint::syntax::parse(source, None);
    assert_eq!(
        tree.root_node().child(0).map(|n| n.kind()),
        Some("ERROR"),
        "the case this test is about: the module wrapped in one ERROR node"
    );
    let index = build(&[("blog/models.py", source)]);
    assert_eq!(field_names(model(&index, "blog.Author")), ["id", "name"]);
    assert!(index.by_label("blog.Post").is_none(), "{}", index.render());
    assert!(index.by_label("blog.Tag").is_none(), "{}", index.render());
}

/// The language server keeps its index (and every analysis cached against it) when an
/// edit only moves a models file's classes.
#[test]
fn moved_classes_are_the_same_facts_changed_ones_are_not() {
    let facts =
        |source: &str| ormhint::index::extract(&SourceFile::new("blog/models.py".into(), source));
    let before = facts(
        "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.CharField(max_length=10)\n",
    );
    let moved = facts(
        "from django.db import models\n\n\n\n# Posts.\nclass Post(models.Model):\n    title  =  models.CharField(max_length=10)\n",
    );
    let renamed = facts(
        "from django.db import models\n\n\nclass Post(models.Model):\n    name = models.CharField(max_length=10)\n",
    );
    let nullable = facts(
        "from django.db import models\n\n\nclass Post(models.Model):\n    title = models.CharField(max_length=10, null=True)\n",
    );
    assert_ne!(before.classes[0].range, moved.classes[0].range);
    assert!(before.same_apart_from_places(&moved));
    assert!(!before.same_apart_from_places(&renamed));
    assert!(!before.same_apart_from_places(&nullable));
}

/// A package whose `__init__` star-imports its submodules, 30 levels deep and 10 wide,
/// each of which star-imports the next level and the package itself (cycles everywhere,
/// as django-cms's `cms` package has). Names resolve through the whole depth, and the
/// index is built once per module and name, not once per path: before, a depth limit
/// of 24 cut the search, which took time exponential in the depth.
#[test]
fn star_import_cycles_resolve_at_any_depth() {
    const DEPTH: usize = 30;
    const WIDTH: usize = 10;
    let mut files: Vec<(String, String)> = Vec::new();
    let level = |k: usize| -> String {
        (0..WIDTH)
            .map(|i| format!("from pkg.l{k}_{i} import *\n"))
            .collect()
    };
    files.push(("pkg/__init__.py".into(), level(0)));
    for k in 0..DEPTH {
        for i in 0..WIDTH {
            let mut text = String::from("from pkg import *\n");
            if k + 1 < DEPTH {
                text.push_str(&level(k + 1));
            } else if i == WIDTH - 1 {
                text.push_str(
                    "from django.db import models\n\n\nclass Deep(models.Model):\n    name = models.CharField(max_length=10)\n",
                );
            }
            files.push((format!("pkg/l{k}_{i}.py"), text));
        }
    }
    files.push((
        "app/models.py".into(),
        "from django.db import models\nfrom pkg import Deep\n\n\nclass Shelf(models.Model):\n    item = models.ForeignKey(Deep, on_delete=models.CASCADE)\n".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let started = std::time::Instant::now();
    let index = build(&refs);
    let deep = index.resolve_model("app.models", &["Deep".to_string()]);
    eprintln!("{} modules indexed in {:?}", files.len(), started.elapsed());
    assert_eq!(deep.map(|id| index.model(id).name.as_str()), Some("Deep"));
    assert!(
        index
            .resolve_model("app.models", &["Missing".to_string()])
            .is_none()
    );
    assert!(
        index
            .resolve_model("pkg.l3_4", &["Deep".to_string()])
            .is_some()
    );
}

/// The index parses a file without its top-level functions; what it reads must be what
/// the whole tree gives, but for imports inside those functions (which bind nothing at
/// module level), over every Python fixture of the repository.
#[test]
fn facts_read_without_function_bodies_are_the_whole_trees_facts() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    let mut dirs = vec![
        root.join("server/tests/fixtures"),
        root.join("tests/fixtures"),
        root.join("tests/django"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "py") {
                files.push(path);
            }
        }
    }
    assert!(
        files.len() > 30,
        "fixtures not found under {}",
        root.display()
    );
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let rel = std::path::PathBuf::from("app/models.py");
        let whole = SourceFile::with_tree(
            rel.clone(),
            source.as_str(),
            ormhint::syntax::parse(&source, None),
        );
        let mut expected = ormhint::index::extract(&whole);
        let mut partial = ormhint::index::extract(&SourceFile::new(rel, source.as_str()));
        for (name, imported) in partial.imports.iter() {
            assert_eq!(
                expected.imports.get(name),
                Some(imported),
                "{}: {name}",
                path.display()
            );
        }
        assert_eq!(
            partial.imports.stars(),
            expected.imports.stars(),
            "{}",
            path.display()
        );
        expected.imports = ImportMap::default();
        partial.imports = ImportMap::default();
        assert_eq!(partial, expected, "{}", path.display());
    }
}
