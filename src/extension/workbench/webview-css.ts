/**
 * Stylesheets of the workbench webviews, served in the page's <style nonce> (the strict CSP
 * blocks inline style attributes and scripted <style> elements; views set element.style
 * through the CSSOM where they need computed values).
 */
export const TRAINING_CSS = `
.grid { stroke: var(--vscode-editorWidget-border, #8884); stroke-width: 1; }
.axis text { fill: var(--vscode-descriptionForeground); font-size: 11px; }
.train { stroke: var(--vscode-charts-blue, #3794ff); fill: none; stroke-width: 2; }
.val { stroke: var(--vscode-charts-orange, #d18616); fill: none; stroke-width: 2; }
.valdot { fill: var(--vscode-charts-orange, #d18616); }
.best { stroke: var(--vscode-charts-green, #89d185); stroke-dasharray: 4 3; stroke-width: 1.5; }
.legend { display: flex; gap: 16px; margin: 4px 0; }
.swatch.train-c { background: var(--vscode-charts-blue, #3794ff); }
.swatch.val-c { background: var(--vscode-charts-orange, #d18616); }
.swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 4px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
dt { color: var(--vscode-descriptionForeground); }
dd { margin: 0; word-break: break-all; }
#status { font-size: 1.1em; margin: 8px 0; }
.bar { height: 10px; background: var(--vscode-charts-orange, #d18616); display: inline-block; vertical-align: middle; }
`;

export const RESULTS_CSS = `
.summary { display: flex; gap: 24px; flex-wrap: wrap; margin: 6px 0; }
.summary b { font-size: 1.25em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--vscode-editorWidget-border, #8884); padding: 6px; cursor: pointer; background: var(--vscode-editorWidget-background); }
.card:hover { border-color: var(--vscode-focusBorder); }
.card .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.card canvas { max-width: 100%; margin-top: 4px; }
.legend { display: flex; gap: 16px; align-items: center; margin: 4px 0; flex-wrap: wrap; }
.dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; vertical-align: middle; }
.dot.manual { background: var(--manual); }
.dot.predicted { background: var(--predicted); }
.dot.err { background: var(--err); border-radius: 0; height: 2px; width: 14px; }
#tip { position: fixed; pointer-events: none; padding: 3px 6px; background: var(--vscode-editorHoverWidget-background);
  color: var(--vscode-editorHoverWidget-foreground); border: 1px solid var(--vscode-editorHoverWidget-border); display: none; z-index: 10; }
.heat-wrap { overflow-x: auto; }
.colourbar { display: flex; align-items: center; gap: 6px; }
.tbar { display: inline-block; height: 9px; background: var(--predicted); vertical-align: middle; }
.section-note { margin: 0 0 6px; }
`;

export const SHAPE_CSS = `
.shape-plots { align-items: flex-start; gap: 24px; }
figure { margin: 0; }
figcaption { max-width: 380px; font-size: 0.9em; }
#cloud, #scatter { border: 1px solid var(--vscode-editorWidget-border, #8884); background: var(--vscode-editorWidget-background); }
.pc-dot { cursor: pointer; }
#shape-table tbody tr { cursor: pointer; }
#shape-table td:nth-child(2), #shape-table th:nth-child(2) { text-align: left; }
#shape-table tbody tr:hover, #shape-table tbody tr:focus { background: var(--vscode-list-hoverBackground); outline: none; }
#shape-table tbody tr.outlier td { color: var(--err); font-weight: 600; }
`;
