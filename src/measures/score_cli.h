/*
 * `cocare score`: scores FHIR QuestionnaireResponses read from files or
 * standard input by the instrument library's rules, one JSON line out
 * per response. Needs no database.
 */
#ifndef MEASURES_SCORE_CLI_H
#define MEASURES_SCORE_CLI_H

/*
 * Runs the verb; `argv[0]` is "score", the rest its options and files
 * (main has taken out --config, --data and --help). Returns the exit
 * status: 0 when every response was scored, 1 when one was refused or
 * a file could not be read, 2 for a bad command line or questionnaire.
 */
int score_cli(int argc, char **argv);

#endif
