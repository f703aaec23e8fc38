"""The look posecheck's HTML pages share (report.html, progress.html): colours, type,
the page's column, section boxes, chart axes, bars, the footer and the disclaimer.

Each page's stylesheet is :data:`BASE_CSS` followed by its own rules, which may
override these (later rules win).
"""

from __future__ import annotations

BASE_CSS = """
:root{--fg:#1d2430;--muted:#5e6b7d;--line:#d9dee6;--bg:#f5f7fa;--card:#fff;--good:#2e9d5b;
--mid:#d89614;--low:#d0423b;--accent:#3b73c4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Helvetica,Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:28px 24px 40px}
.brand{font-size:12px;letter-spacing:.12em;text-transform:uppercase;color:var(--accent);
font-weight:700}
h1{font-size:32px;margin:2px 0 4px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:18px 20px;
margin:16px 0;box-shadow:0 1px 2px rgba(20,30,50,.04)}
svg{width:100%;height:auto;display:block}
svg .grid{stroke:#e8ecf1;stroke-width:1}
svg .ax{font-size:11px;fill:#6b7788}
svg .frame{fill:none;stroke:#c9d0da}
.bar i{display:block;height:100%;background:var(--accent)}
.ok{color:var(--good);font-weight:600}
footer{color:var(--muted);font-size:13px;text-align:center;margin-top:20px}
.disclaimer{font-weight:600;color:var(--fg);background:#fff7e0;border:1px solid #f1dfa8;
border-radius:8px;padding:10px 14px;text-align:left}
@media print{body{background:#fff}section{break-inside:avoid;box-shadow:none}}
"""
