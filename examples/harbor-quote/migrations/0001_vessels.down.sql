drop table quotes;
drop table vessels;
