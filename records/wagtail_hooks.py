from wagtail import hooks

from . import file_views, import_views


@hooks.register("register_admin_urls")
def childrens_file_urls():
    return [*file_views.urlpatterns, *import_views.urlpatterns]
