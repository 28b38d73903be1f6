/* Cell renderers of the article list (dash-ag-grid looks them up here by name). */
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
  window.dashAgGridComponentFunctions || {});

/* The DOI (or URL) as a link that opens in a new tab. The server sends the text and an
   address it has already checked (https://doi.org/…, or an http(s) URL); React sets both
   as text and attribute, never as markup. */
dagcomponentfuncs.DoiLink = function (props) {
  var row = props.data || {};
  var href = row.doi_href || "";
  if (!/^https?:\/\//i.test(href)) return row.doi || "";
  return React.createElement(
    "a",
    { href: href, target: "_blank", rel: "noopener noreferrer",
      title: "Opens in a new tab" },
    props.value || "link"
  );
};
