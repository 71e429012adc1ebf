"""The domain of 加梯一站办; it imports nothing of Flask. Grouped by what it does:

- `rules/`     pure functions: quorum, money, cost sharing, subsidy, working days, codes;
- `data/`      tables, the database, settings and the calendar, file storage, audit, backups;
- `process/`   the states, the machine's one declaration, its guards and effects, clocks, access;
- `papers/`    letters and documents: the facts they print, their numbers, the one renderer;
- `notify/`    the outbox and the messages it delivers;
- `jobs/`      the queue helpers and the registry of jobs with their schedule;
- `read/`      what pages and reports read: case descriptions, registers, statistics, the guide;
- `services/`  one function per use case, each one transaction;
- `adapters/`  one backend a file (S3, Redis, SMS gateways), chosen by settings in one place;
- `demo/`      demo data, the bulk generator and its loader.

Imports run one way: services → process, papers, notify, jobs, read → rules, data.
"""
