from setuptools import setup

# scrapyd-deploy builds the egg it uploads with this; everything is in pyproject.toml.
setup()
