alter table vessels drop column flag_state;
