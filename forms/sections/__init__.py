"""Forms per school: each school's section of concern forms in the page tree, the
sections a trust's schools share, and the page rights configurators hold there.

- services: make the sections (after every migrate, from `manage.py demo`, and when
  a test or a command needs one);
- permissions: the page permission policy that gives configurators their rights
  on their schools' sections, and on nothing else in the tree.

The sections themselves are forms.models.FormSection; who sees which is in
forms.selectors.
"""
