// Added to each page's MathJax configuration (Doxyfile MATHJAX_CODEFILE). MathJax 2 gives up on
// a file of its own that has not loaded within 15 s and then shows "[Math Processing Error]" in
// place of every formula. The book loads MathJax from its own folder, so a load that slow means a
// busy machine, not a missing file: wait up to 60 s instead.
MathJax.Ajax.timeout = 60 * 1000;
