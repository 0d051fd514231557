# Perl rewrite rules (run: perl -p libxml2-fixups.pl X.xsd > X.libxml2.xsd).
# Mirrors the xerces-branch string(REGEX REPLACE) rules in microsoft/msix-packaging cmake/msix_resources.cmake
# (commit efeb9dad695a200c2beaddcba54a52c8320bd135), which rewrite non-XSD regex syntax (\x.., \b, \w, \/, \$, (?!...)).
# Mirrors cmake/msix_resources.cmake (xerces branch) rewrites of non-XSD regex syntax
s/\\x01-\\x1f/\\t\\n\\r/g;
s/\\bms-resource/ms-resource/g;
s/\\w/a-zA-Z0-9_/g;
s/\\\//\//g;
s/\\\$/\$/g;
s/\(\(\?!\\%\[Ii\]\.\*\\%\[Ii\]\)\.\)\*/.*/g;
