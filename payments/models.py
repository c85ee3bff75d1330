# Orders, payments and donations arrive with the payments issue (#7).
