"""The admin menu's items, for every app's wagtail_hooks."""

from wagtail.admin.menu import MenuItem


class MenuItemFor(MenuItem):
    """A menu item shown only to the users `shown(user)` accepts: the same selector
    the page's view checks. Hiding the item is a courtesy; the view still refuses
    everyone else."""

    def __init__(self, label, url, *, shown, **kwargs):
        super().__init__(label, url, **kwargs)
        self.shown = shown

    def is_shown(self, request):
        return self.shown(request.user)
