drop table policies;
drop table vessels;
