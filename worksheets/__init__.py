"""Goal-setting worksheets: YAML content, Jinja2 templates, WeasyPrint PDFs, a static site."""
