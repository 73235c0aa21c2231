"""The child's file in the admin: list of files, the file with its front sheet and
chronology, and what a DSL adds to it."""

urlpatterns = []
