"""One spider per site; `news.NewsSpider` is the base they share."""
