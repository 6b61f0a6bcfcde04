"""Article layouts of news CMSs that several outlets share: a site spider (or the generic
spider) builds on its family's layout instead of restating its selectors."""
