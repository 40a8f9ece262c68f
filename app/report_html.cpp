// The report's page: one HTML file that draws its charts with no network -- vega, vega-lite and
// vega-embed inlined (report_js.hpp), the report's JSON document beside them, and a short script
// that hands each chart's Vega-Lite spec and the shared datasets to vegaEmbed.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "report.hpp"
#include "report_js.hpp"

namespace benchr {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  return out;
}

std::string script_safe_json(std::string_view json_text) {
  // Inside <script> the HTML parser ends the element at "</script" whatever the JavaScript is;
  // "<\/" is the same string to JSON (an escaped solidus), so the document reads back unchanged.
  std::string out;
  out.reserve(json_text.size());
  for (std::size_t i = 0; i < json_text.size(); ++i) {
    out += json_text[i];
    if (json_text[i] == '<' && i + 1 < json_text.size() && json_text[i + 1] == '/') out += '\\';
  }
  return out;
}

namespace {

constexpr const char* kStyle = R"(
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 960px;
       color: #1d2330; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin: 28px 0 2px; }
.summary { margin: 8px 0 0; padding-left: 20px; }
.caption { color: #4a5162; margin: 2px 0 8px; font-size: 13.5px; }
.chart { min-height: 60px; }
.notes { color: #4a5162; font-size: 12.5px; margin-top: 28px; border-top: 1px solid #dde; padding-top: 8px; }
.failed { color: #b00020; font-weight: 600; }
)";

// Draws every chart of the document; marks each container data-rendered="1" when vegaEmbed has
// drawn it, or shows the error (and logs it, so a headless test sees it) when it could not.
constexpr const char* kDraw = R"(
(function () {
  const doc = JSON.parse(document.getElementById('report-data').textContent);
  document.getElementById('title').textContent = doc.title;
  const summary = document.getElementById('summary');
  for (const line of doc.summary) {
    const li = document.createElement('li');
    li.textContent = line;
    summary.appendChild(li);
  }
  const charts = document.getElementById('charts');
  for (const chart of doc.charts) {
    const section = document.createElement('section');
    const h2 = document.createElement('h2');
    h2.textContent = chart.title;
    const caption = document.createElement('p');
    caption.className = 'caption';
    caption.textContent = chart.caption;
    const box = document.createElement('div');
    box.className = 'chart';
    box.id = 'chart-' + chart.id;
    section.append(h2, caption, box);
    charts.appendChild(section);
    const spec = Object.assign({}, chart.spec, { datasets: doc.datasets });
    vegaEmbed(box, spec, { renderer: 'svg', actions: false })
      .then(() => { box.dataset.rendered = '1'; })
      .catch((err) => {
        box.dataset.rendered = 'failed';
        box.className = 'chart failed';
        box.textContent = 'This chart could not be drawn: ' + err;
        console.error('chart ' + chart.id + ': ' + err);
      });
  }
  const notes = document.getElementById('notes');
  for (const line of doc.notes) {
    const p = document.createElement('div');
    p.textContent = line;
    notes.appendChild(p);
  }
})();
)";

}  // namespace

std::string report_html(const std::string& title, const std::string& doc_json) {
  const PlotLibraries libs = plot_libraries();
  if (libs.libs.empty()) throw InputError("report: " + libs.missing);
  std::string html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                     html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n";
  std::string versions;
  for (const auto& lib : libs.libs) {
    html += "<script>/* ";
    html += lib.name;
    html += ' ';
    html += lib.version;
    html += " (BSD-3-Clause, https://vega.github.io) */\n";
    html += lib.js;
    html += "\n</script>\n";
    versions += std::string(versions.empty() ? "" : ", ") + std::string(lib.name) + " " + std::string(lib.version);
  }
  html += "</head>\n<body>\n<h1 id=\"title\">" + html_escape(title) +
          "</h1>\n<ul class=\"summary\" id=\"summary\"></ul>\n<div id=\"charts\"></div>\n"
          "<div class=\"notes\" id=\"notes\"><div>Drawn by " + html_escape(versions) +
          ", inlined: this file needs no network.</div></div>\n"
          "<script type=\"application/json\" id=\"report-data\">" + script_safe_json(doc_json) +
          "</script>\n<script>" + kDraw + "</script>\n</body>\n</html>\n";
  return html;
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError("report -o " + path + ": cannot create " + tmp + ": " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw InputError("report -o " + path + ": cannot write " + tmp + " (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    throw InputError("report -o " + path + ": cannot rename " + tmp + " to it: " + std::strerror(err));
  }
}

}  // namespace benchr
