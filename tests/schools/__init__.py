"""The test schools, one module each, and the small factories they are built from.

- `leave`: two grade-3 classes and a Thursday timetable, for leave, cover and swaps.
- `homework`: who teaches what where and who heads which class, for homework.
- `duty`: a duty roster and patrols, for duty, patrol and the calendar.
- `linking`: two schools with admins, for linking accounts.
- `factories`: one record at a time (a school, staff, classes, lessons, bells, a term).
"""
