/** Fitting tables to a terminal: which columns `query` shows, how `suggest` wraps, what the notes say. */
import { Command, Option } from 'commander';
import { renderTable } from '../../cli/format';
import { helpConfiguration } from '../../cli/help';
import { renderQueryTable } from '../../cli/query-table';
import { chooseColumns, DEFAULT_WIDTH, MAX_CELL_WIDTH, tableWidth, terminalWidth, textWidth, truncateText, ttyWidth, wrapWidths } from '../../cli/table-fit';

const widest = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));

describe('measuring and cutting', () => {
  test('cli-table3 widths: a border per column and one at the end, a space either side of each value', () => {
    expect(tableWidth([3])).toBe(7); // "│ abc │"
    expect(tableWidth([3, 5])).toBe(15);
    expect(renderTable(['abc', 'de'], [{ abc: 'x', de: 'hello' }]).split('\n')[0]).toHaveLength(tableWidth([3, 5]));
  });

  test('text width is the widest line, in code points; cutting keeps each line within the width', () => {
    expect(textWidth('ab\nabcd\n')).toBe(4);
    expect(textWidth('─┬─')).toBe(3);
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('abcd', 4)).toBe('abcd');
    expect(truncateText('abcdef\nab', 3)).toBe('ab…\nab');
  });

  test('the terminal width when stdout is one, else 100 (query, suggest) or none at all (the run summary, status)', () => {
    expect(terminalWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(terminalWidth({ isTTY: false, columns: 132 })).toBe(DEFAULT_WIDTH);
    expect(terminalWidth({})).toBe(100);
    expect(ttyWidth({ isTTY: true, columns: 132 })).toBe(132);
    expect(ttyWidth({})).toBeUndefined();
  });
});

describe('chooseColumns', () => {
  const header = ['id', 'a', 'b', 'c', 'd'];
  const cells = [
    ['r1', 'x'.repeat(10), 'same', '', 'y'.repeat(60)],
    ['r2', 'z'.repeat(10), 'same', '', 'w'.repeat(60)],
  ];

  test('everything when it fits', () => {
    expect(chooseColumns(header, cells, 200)).toEqual({ shown: [0, 1, 2, 3, 4], widths: [2, 10, 4, 1, 60], omitted: [], empty: [], constant: [] });
  });

  test('otherwise the empty and the constant columns go first, then long values are cut, then trailing columns go', () => {
    const fit = chooseColumns(header, cells, 60);
    expect(fit.empty).toEqual([3]);
    expect(fit.constant).toEqual([2]);
    expect(fit.shown).toEqual([0, 1, 4]);
    expect(fit.widths).toEqual([2, 10, MAX_CELL_WIDTH]);
    expect(tableWidth(fit.widths)).toBeLessThanOrEqual(60);
    const narrow = chooseColumns(header, cells, 30);
    expect(narrow.shown).toEqual([0, 1]);
    expect(narrow.omitted).toEqual([4]);
  });

  test('the first column is shown even when it alone is too wide, cut to the width; headers are never cut', () => {
    const fit = chooseColumns(['long'], [['q'.repeat(300)], ['r']], 20);
    expect(fit.shown).toEqual([0]);
    expect(tableWidth(fit.widths)).toBeLessThanOrEqual(20);
    const named = chooseColumns(['a_header_longer_than_the_cell_cap_of_32', 'b'], [['1', 'x'.repeat(80)], ['2', 'y']], 200);
    expect(named.widths[0]).toBe(textWidth('a_header_longer_than_the_cell_cap_of_32'));
  });
});

describe('wrapWidths', () => {
  test('null when the table fits; else the widest columns are narrowed to one level until it does', () => {
    expect(wrapWidths(['a', 'b'], [['1', '2']], 80)).toBeNull();
    const widths = wrapWidths(['#', 'why', 'value'], [['1', 'w'.repeat(100), 'v'.repeat(40)]], 80)!;
    expect(tableWidth(widths)).toBeLessThanOrEqual(80);
    expect(widths[0]).toBe(1); // narrow columns keep their width
    expect(widths[1]).toBe(widths[2]); // the two wide ones share the room
  });

  test('never below a header word, a value word (up to 20) or 8 characters: the table overflows rather than shred words', () => {
    const widths = wrapWidths(['serving.batching.maxBatchSize', 'x', 'y'], [['1', 'y'.repeat(50), 'a b c d e f g h i j k l m n o p']], 20)!;
    expect(widths).toEqual(['serving.batching.maxBatchSize'.length, 20, 8]);
  });

  test('renderTable wraps at word boundaries to the width it is given', () => {
    const text = renderTable(['#', 'why'], [{ '#': 1, why: 'highest predicted throughput with p99 below the objective of the sweep, and more words' }], { width: 40 });
    expect(widest(text)).toBeLessThanOrEqual(40);
    expect(text).toContain('highest predicted');
    expect(text.split('\n').length).toBeGreaterThan(5);
  });
});

describe('multi-line cells', () => {
  test('each line is a table line, with no rule between them; a plan of hundreds of lines renders', () => {
    const plan = Array.from({ length: 400 }, (_, i) => `│ ${'─'.repeat(i % 120)} │`).join('\n');
    const text = renderTable(['explain_value'], [{ explain_value: plan }]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(400 + 4); // top, header, rule, 400 lines, bottom
    expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
  });
});

describe('renderQueryTable', () => {
  const columns = ['run_id', 'sweep', 'params', 'price_per_hour', 'cost_per_million', 'inferences_per_s', 'lat_p99_ms', 'mean_power_w', 'note'];
  const rows = [1, 2, 3].map((i) => ({
    run_id: `s/j00${i}-r0`,
    sweep: 'demo',
    params: { 'workload.concurrency': i, 'serving.batching.maxBatchSize': 16 * i },
    price_per_hour: null,
    cost_per_million: null,
    inferences_per_s: 1000 * i,
    lat_p99_ms: 5 + i,
    mean_power_w: null,
    note: String(i).repeat(50),
  }));

  test('a subset that fits, and notes naming what was left out and why figures are empty', () => {
    const { table, notes } = renderQueryTable(columns, rows, { width: 80 });
    expect(widest(table)).toBeLessThanOrEqual(80);
    expect(table.split('\n')[1]).toMatch(/^│ run_id +│ params +│ inferences_per_s │ lat_p99_ms │$/);
    expect(notes[0]).toMatch(/^\d of 9 columns shown to fit 80 characters \(--wide shows all, or select fewer columns\)$/);
    expect(notes).toContain('the same in every row: sweep=demo');
    expect(notes).toContain('empty in every row: price_per_hour, cost_per_million, mean_power_w');
    expect(notes).toContain('left out: note');
    expect(notes).toContain('price_per_hour and cost_per_million are empty in every row: no run had a price: set target.pricePerHour in the config, or add its device to the prices table');
    expect(notes).toContain('mean_power_w is empty in every row: no run had a power reading: power is read from GPUs only, through nvidia-smi');
    expect(notes[notes.length - 1]).toBe('3 values cut short with "…" (--wide, --json or --csv show them whole)');
  });

  test('--wide: every column, uncut; the notes on empty figures stay', () => {
    const { table, notes } = renderQueryTable(columns, rows, { width: 80, wide: true });
    for (const c of columns) expect(table).toContain(c);
    expect(table).toContain('"serving.batching.maxBatchSize":48}');
    expect(notes.some((n) => n.includes('columns shown'))).toBe(false);
    expect(notes.some((n) => n.startsWith('price_per_hour and cost_per_million are empty'))).toBe(true);
  });

  test('a table that fits is untouched; EXPLAIN is its plan, as text', () => {
    expect(renderQueryTable(['n'], [{ n: 1 }], { width: 80 })).toEqual({ table: renderTable(['n'], [{ n: 1 }]), notes: [] });
    const plan = '┌────────┐\n│ SCAN   │\n└────────┘\n';
    expect(renderQueryTable(['explain_key', 'explain_value'], [{ explain_key: 'physical_plan', explain_value: plan }], { width: 80 })).toEqual({ table: plan.trimEnd(), notes: [] });
  });
});

describe('--help marks what is required', () => {
  test('required options in the usage line and their description, arguments marked required or optional', () => {
    const root = new Command('tool').configureHelp(helpConfiguration);
    const sub = root.command('export').argument('<sweep>', 'which sweep').argument('[table]', 'one table').requiredOption('--out <dir>', 'where').addOption(new Option('--db <file>', 'file'));
    const help = sub.helpInformation();
    expect(help).toContain('Usage: tool export --out <dir> [options] <sweep> [table]');
    expect(help).toMatch(/sweep +\(required\) which sweep/);
    expect(help).toMatch(/table +\(optional\) one table/);
    expect(help).toMatch(/--out <dir> +\(required\) where/);
    expect(help).toMatch(/--db <file> +file\n/);
  });
});
