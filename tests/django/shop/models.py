from django.db import models


class Owned(models.Model):
    """Abstract base: each concrete child gets its own reverse accessor on the user."""

    owner = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="%(class)s_owned"
    )

    class Meta:
        abstract = True


class Supplier(Owned):
    # user.supplier_owned
    name = models.CharField(max_length=50)
    city = models.CharField(max_length=50)


class ProductQuerySet(models.QuerySet):
    def with_supplier(self):
        return self.select_related("supplier")

    def cheap(self):
        return self.filter(price__lt=50)


ProductManager = models.Manager.from_queryset(ProductQuerySet)


class Product(Owned):
    # user.product_owned
    name = models.CharField(max_length=50)
    price = models.IntegerField()
    # Nullable FK.
    supplier = models.ForeignKey(
        Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    # Cross-app string reference.
    category = models.ForeignKey(
        "blog.Category", on_delete=models.CASCADE, related_name="products"
    )

    objects = ProductManager()


class Bargain(Product):
    """Proxy: shares Product's fields and table."""

    class Meta:
        proxy = True


class OrderManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("customer")


class Order(models.Model):
    number = models.CharField(max_length=20)
    customer = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="orders"
    )
    # M2M with through.
    products = models.ManyToManyField(
        Product, through="OrderItem", related_name="orders"
    )

    objects = OrderManager()


class OrderItem(models.Model):
    # No related_name: `order.orderitem_set` / query name `orderitem`.
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    quantity = models.IntegerField()
    # Summed in Python by the ORM501 scenarios: a decimal, and a float that may be NULL.
    unit_price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    discount = models.FloatField(null=True)
