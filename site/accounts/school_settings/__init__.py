"""A school's settings page: where concerns about its head go (KCSIE Part 4: the
chair of governors or the trust's nominated lead), and its DfE number and bank
holiday region. Who may change what is in selectors; writes in services."""
