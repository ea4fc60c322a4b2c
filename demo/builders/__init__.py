"""Builders of the demo data: seed_demo, the benchmarks and tests share them.

Each module builds one piece, with keyword-only functions on a shared `DemoContext`
(context.py: one seeded random generator, the demo's "now"):

- people.py: the program team's accounts, the featured sign-in accounts, generated leaders;
- groups.py: groups and their leaders, planned, then written through the services or in bulk;
- meetings.py: a year of meetings a group;
- history.py: submissions and the program team's decisions (reviews);
- requests.py: the co-leader invitation, leadership change and leave requests;
- program.py: the rules of conduct, quarterly calls, content and news;
- demo.py: the whole demo (`build_demo`) and single groups (`group_build`);
- catalogue.py: the words and numbers they draw from.
"""
