"""Create demo dishes, a staff account and a customer account (safe to run again)."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from orders.models import Dish

DISHES = [("宫保鸡丁", 2800), ("鱼香肉丝", 2600), ("米饭", 200), ("酸梅汤", 600)]


class Command(BaseCommand):
    help = "Create demo dishes, a staff user and a customer user, and print their credentials."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, price in DISHES:
            Dish.objects.get_or_create(name=name, defaults={"price": price})
        staff = self._user("DEMO_STAFF", "staff", "staff-password", is_staff=True)
        customer = self._user("DEMO_CUSTOMER", "customer", "customer-password", is_staff=False)
        self.stdout.write(f"dishes: {Dish.objects.count()}")
        self.stdout.write(f"staff:    {staff[0]} / {staff[1]}   (log in at /accounts/login/)")
        self.stdout.write(f"customer: {customer[0]} / {customer[1]}")

    def _user(self, env_prefix: str, username: str, password: str, *, is_staff: bool):
        username = os.environ.get(f"{env_prefix}_USERNAME", username)
        password = os.environ.get(f"{env_prefix}_PASSWORD", password)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = is_staff
        user.is_superuser = is_staff
        user.set_password(password)
        user.save()
        if is_staff:
            # The shop assistants' group, made by the orders migration 0003_shop_staff_group.
            user.groups.add(Group.objects.get(name="店员"))
        return username, password
