"""The HTML of `make grade`: ``index.html`` (students x exercises, totals, the pass rate of each exercise) and one
feedback page per student under ``students/``. Plain offline pages: no script, no network, the chart in SVG.
"""
import html
import re
import shutil

STYLE = """body {font-family: sans-serif; margin: 2em; color: #222}
table {border-collapse: collapse; margin: 1em 0} th, td {border: 1px solid #ccc; padding: 0.25em 0.45em}
th {background: #f4f4f4; font-weight: normal} td.total, th.total {font-weight: bold; text-align: right}
td.status {text-align: center; min-width: 1.6em} a {color: #1565c0}
.passed {background: #c8e6c9} .failed {background: #ffcdd2} .error {background: #ffe0b2}
.timeout {background: #e1bee7} .missing {background: #eeeeee; color: #777} .invalid {background: #9e9e9e; color: #fff}
.legend span {display: inline-block; padding: 0.1em 0.6em; margin-right: 0.4em; border: 1px solid #ccc}
.review {color: #b71c1c} td.message {max-width: 60em} p.note {color: #555}"""
SYMBOLS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "∞", "missing": "–", "invalid": "∅"}
TITLES = {"passed": "passed", "failed": "failed: the check's message", "error": "error: the student's exception",
          "timeout": "timeout", "missing": "missing: exercise or notebook absent",
          "invalid": "invalid: the file could not be graded"}


def slugs(students):
    """A file name for each student, unique, made of letters, digits, '-', '_' and '.'."""
    found, used = {}, set()
    for student in students:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", student).strip("._") or "student"
        name, number = base, 2
        while name.lower() in used:
            name, number = f"{base}-{number}", number + 1
        used.add(name.lower())
        found[student] = name
    return found


def page(title, body):
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><link rel="icon" href="data:,">'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style></head>\n<body>\n{body}\n</body>\n</html>\n")


def legend():
    return '<p class="legend">' + "".join(f'<span class="{status}">{SYMBOLS[status]} {html.escape(TITLES[status])}'
                                          "</span>" for status in SYMBOLS) + "</p>"


def columns(results, course):
    """The graded (chapter, Exercise) pairs, in course order."""
    graded = sorted({graded.chapter for graded in results if graded.chapter in course})
    return [(name, exercise) for name in graded for exercise in course[name].exercises]


def pass_rates(results, cols):
    rates = []
    for name, exercise in cols:
        statuses = [row.status for graded in results if graded.chapter == name for row in graded.rows
                    if row.exercise == exercise.id]
        rates.append(sum(status == "passed" for status in statuses) / len(statuses) if statuses else 0.0)
    return rates


def chart(cols, rates):
    """Horizontal bars, one per exercise: its pass rate in the class."""
    row, left, width = 22, 280, 420
    bars = []
    for number, ((name, exercise), rate) in enumerate(zip(cols, rates)):
        y = number * row
        colour = "#43a047" if rate >= 0.75 else "#fb8c00" if rate >= 0.4 else "#e53935"
        label = html.escape(f"{name} {exercise.id} {exercise.name}")
        bars.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{label}</text>'
                    f'<rect x="{left}" y="{y + 3}" width="{rate * width:.1f}" height="{row - 6}" fill="{colour}"/>'
                    f'<text x="{left + rate * width + 5:.1f}" y="{y + 15}">{100 * rate:.0f}%</text>')
    height = row * len(cols) + 4
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 50}" height="{height}" '
            f'font-family="sans-serif" font-size="12" role="img" aria-label="pass rate per exercise">'
            f'<line x1="{left}" y1="0" x2="{left}" y2="{height}" stroke="#999"/>{"".join(bars)}</svg>')


def totals(graded_list):
    rows = [row for graded in graded_list for row in graded.rows]
    return sum(row.points for row in rows), sum(row.max_points for row in rows)


def index_page(results, course, names):
    cols = columns(results, course)
    by_student = {}
    for graded in results:
        by_student.setdefault(graded.student, []).append(graded)
    chapters = []
    for name, _ in cols:
        if not chapters or chapters[-1][0] != name:
            chapters.append([name, 0])
        chapters[-1][1] += 1
    head = ('<tr><th rowspan="2">student</th>' + "".join(f'<th colspan="{span}">{html.escape(name)}</th>'
                                                          for name, span in chapters)
            + '<th rowspan="2" class="total">points</th></tr>\n<tr>'
            + "".join(f'<th title="{html.escape(f"{exercise.kind} {exercise.name}")}">{exercise.id}</th>'
                      for _, exercise in cols) + "</tr>")
    lines, others = [], []
    for student, graded_list in by_student.items():
        if not student:  # files that belong to no student
            others.extend(f"<li>{html.escape(row.message)}</li>" for graded in graded_list for row in graded.rows)
            continue
        status = {(graded.chapter, row.exercise): row for graded in graded_list for row in graded.rows}
        flagged = sorted({flag for graded in graded_list for flag in graded.flags})
        review = (f' <span class="review" title="review by hand: the code uses {html.escape(", ".join(flagged))}">⚠'
                  "</span>" if flagged else "")
        cells = []
        for name, exercise in cols:
            row = status.get((name, exercise.id))
            cells.append(f'<td class="status {row.status}" title="{html.escape(f"{row.status}: {row.message}")}">'
                         f"{SYMBOLS[row.status]}</td>" if row else "<td></td>")
        got, out_of = totals(graded for graded in graded_list if graded.chapter in course)
        lines.append(f'<tr><td><a href="students/{names[student]}.html">{html.escape(student)}</a>{review}</td>'
                     f'{"".join(cells)}<td class="total">{got:g} / {out_of:g}</td></tr>')
        others.extend(f"<li>{html.escape(student)}: {html.escape(row.message)}</li>" for graded in graded_list
                      if graded.chapter not in course for row in graded.rows)
    rates = pass_rates(results, cols)
    lines.append('<tr><th>pass rate</th>' + "".join(f"<td>{100 * rate:.0f}%</td>" for rate in rates)
                 + "<td></td></tr>")
    body = (f"<h1>Gradebook</h1>\n<p>{len(names)} students; chapters "
            f"{html.escape(', '.join(name for name, _ in chapters)) or 'none'}. Hover a cell for its message; a "
            "student's name opens their feedback page. <a href=\"gradebook.csv\">gradebook.csv</a></p>\n"
            f"{legend()}\n<table>\n{head}\n" + "\n".join(lines) + "\n</table>\n"
            + (f"<h2>Pass rate per exercise</h2>\n{chart(cols, rates)}\n" if cols else "")
            + (f"<h2>Files that are no chapter's notebook</h2>\n<ul>{''.join(others)}</ul>\n" if others else ""))
    return page("Gradebook", body)


def student_page(student, graded_list, course):
    sections = []
    for graded in graded_list:
        exercises = {exercise.id: exercise for exercise in course[graded.chapter].exercises} \
            if graded.chapter in course else {}
        rows = "\n".join(
            f'<tr><td>{html.escape(row.exercise)}</td><td>{html.escape(_describe(exercises.get(row.exercise)))}</td>'
            f'<td class="status {row.status}">{SYMBOLS[row.status]} {row.status}</td>'
            f'<td class="total">{row.points:g} / {row.max_points:g}</td>'
            f'<td class="message">{html.escape(row.message)}</td></tr>' for row in graded.rows)
        got, out_of = totals([graded])
        notes = "".join(f'<p class="note">Note: {html.escape(note)}.</p>' for note in graded.notes)
        if graded.flags:
            used = html.escape(", ".join(graded.flags))
            notes += f'<p class="note review">For the instructor: this code uses {used}; look at it by hand.</p>'
        title = graded.chapter or "a file"
        sections.append(f"<h2>{html.escape(title)} — {got:g} / {out_of:g}</h2>\n{notes}\n<table>\n<tr><th>exercise"
                        "</th><th>what</th><th>status</th><th>points</th><th>message</th></tr>\n"
                        f"{rows}\n</table>")
    got, out_of = totals(graded for graded in graded_list if graded.chapter in course)
    body = (f'<p><a href="../index.html">gradebook</a></p>\n<h1>{html.escape(student)}: {got:g} / {out_of:g} '
            "points</h1>\n" + legend() + "\n" + "\n".join(sections))
    return page(f"{student}: feedback", body)


def _describe(exercise):
    return f"{exercise.kind} {exercise.name}" if exercise else ""


def write(output, results, course):
    """Write index.html and students/<name>.html for ``results`` (Graded entries, sorted) into ``output``."""
    names = slugs(dict.fromkeys(graded.student for graded in results if graded.student))
    shutil.rmtree(output / "students", ignore_errors=True)
    (output / "students").mkdir(parents=True)
    (output / "index.html").write_text(index_page(results, course, names), encoding="utf-8")
    for student, name in names.items():
        graded_list = [graded for graded in results if graded.student == student]
        (output / "students" / f"{name}.html").write_text(student_page(student, graded_list, course),
                                                          encoding="utf-8")
