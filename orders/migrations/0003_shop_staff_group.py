"""The 「店员」 group: what a shop assistant needs in the admin, and nothing more."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "店员"
# View and move orders along (and see their items); see the menu and the alert log. No adding
# or deleting orders, no editing the menu.
PERMISSIONS = [
    ("orders", "view_order"),
    ("orders", "change_order"),
    ("orders", "view_orderitem"),
    ("orders", "view_dish"),
    ("notifications", "view_alert"),
]


def create_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran (post_migrate); on a fresh
    # database they do not exist yet, so make the ones of these apps now.
    for label in {app_label for app_label, _ in PERMISSIONS}:
        create_permissions(
            global_apps.get_app_config(label),
            verbosity=0,
            using=schema_editor.connection.alias,
            apps=apps,
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.using(schema_editor.connection.alias).get(
            content_type__app_label=app_label, codename=codename
        )
        for app_label, codename in PERMISSIONS
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(
        name=GROUP
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_pickup_code_and_refund"),
        ("notifications", "0002_customer_event"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
