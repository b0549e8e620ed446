/**
 * Word lists for reading personal names in French dictations. Kept apart from the parser so they can grow without
 * touching its logic. All entries are normalized (lower case, no accents).
 */

/** Common first names (France, French-speaking Africa, Madagascar): used to split "Marie Claire Dubois" and to
 * accept a name after a weak cue ("c'est lina"). Not a whitelist: unknown names are still read after a strong cue. */
export const FIRST_NAMES: ReadonlySet<string> = new Set([
  // French and international
  'adam', 'adele', 'adrien', 'agathe', 'agnes', 'aicha', 'alain', 'alexandre', 'alexandra', 'alice', 'aline', 'amandine',
  'amelie', 'amina', 'anais', 'andre', 'anne', 'annie', 'antoine', 'arnaud', 'arthur', 'aurelie', 'baptiste', 'benoit',
  'bernard', 'brigitte', 'camille', 'caroline', 'catherine', 'celine', 'chantal', 'charles', 'charlotte', 'chloe',
  'christian', 'christine', 'christophe', 'claire', 'claude', 'clement', 'colette', 'corinne', 'damien', 'daniel',
  'david', 'denis', 'didier', 'dominique', 'eliane', 'elise', 'elodie', 'emma', 'emmanuel', 'eric', 'estelle',
  'etienne', 'fabien', 'fatima', 'fatou', 'florence', 'francois', 'francoise', 'frederic', 'gabriel', 'genevieve',
  'georges', 'gerard', 'gilles', 'helene', 'henri', 'hugo', 'ibrahim', 'ines', 'isabelle', 'jacqueline', 'jacques',
  'jean', 'jeanne', 'jeannine', 'jeanine', 'jerome', 'joelle', 'josette', 'julie', 'julien', 'juliette', 'karim', 'laura',
  'laurence', 'laurent', 'lea', 'leo', 'lina', 'louis', 'louise', 'luc', 'lucas', 'lucie', 'madeleine', 'manon',
  'marc', 'marcel', 'margaux', 'marguerite', 'marie', 'marine', 'martine', 'mathieu', 'mathilde', 'maxime', 'michel',
  'michele', 'mohamed', 'monique', 'nadia', 'nathalie', 'nicolas', 'nicole', 'noemie', 'odile', 'olivier', 'pascal',
  'pascale', 'patrick', 'paul', 'pauline', 'philippe', 'pierre', 'rachid', 'raymond', 'rene', 'richard', 'robert',
  'roger', 'romain', 'sabrina', 'samuel', 'sandrine', 'sarah', 'sebastien', 'simone', 'sophie', 'stephane',
  'stephanie', 'suzanne', 'sylvie', 'theo', 'therese', 'thierry', 'thomas', 'valerie', 'veronique', 'victor',
  'vincent', 'virginie', 'yann', 'yannick', 'yves', 'yvette', 'yvonne', 'zoe', 'josiane', 'ginette', 'odette',
  'huguette', 'paulette', 'germaine', 'lucien', 'fernand', 'maurice', 'marcelle', 'emile', 'leon', 'jules', 'rose',
  'eloise', 'oceane', 'yasmine', 'sofia', 'nina', 'mia', 'jade', 'ambre', 'rayan', 'nathan', 'ethan', 'kevin',
  // Malagasy
  'hery', 'fara', 'faly', 'nomena', 'tahina', 'mialy', 'tiana', 'haja', 'lova', 'fanja', 'tojo', 'rivo', 'aina',
  'mamy', 'naina', 'hanta', 'soa', 'fetra', 'andry', 'njaka', 'toky', 'miora', 'onja', 'sitraka', 'fitia', 'vola',
  'zo', 'noro', 'lalao', 'bako', 'volana', 'hasina', 'mahery', 'ony', 'tsiry', 'voahirana', 'hanitra', 'nirina',
]);

/** Words that never belong to a name in a contact dictation (cues, articles, contact words, politeness, verbs). */
export const NOT_NAME: ReadonlySet<string> = new Set([
  'je', 'j', 'm', 'me', 'moi', 'mon', 'ma', 'mes', 'ton', 'votre', 'vos', 'et', 'ou', 'mais', 'donc', 'or', 'car',
  'email', 'mail', 'mel', 'courriel', 'adresse', 'electronique', 'e', 'telephone', 'tel', 'numero', 'portable',
  'mobile', 'fixe', 'ligne', 'suis', 'est', 'c', 'ce', 'cest', 's', 'appelle', 'appelez', 'nomme', 'nom', 'prenom',
  'famille', 'pour', 'un', 'une', 'rendez', 'vous', 'rdv', 'merci', 'bonjour', 'bonsoir', 'salut', 'allo',
  'oui', 'non', 'alors', 'voila', 'voici', 'au', 'aux', 'a', 'avec', 'sur', 'en', 'les', 'par', 'plus',
  'moins', 'pas', 'ne', 'n', 'que', 'qui', 'quoi', 'il', 'elle', 'nous', 'on', 'tres', 'bien', 'ok', 'd', 'accord',
  'pardon', 'plutot', 'enfin', 'comme', 'epelle', 'ecrit', 'joindre', 'rappeler', 'sinon', 'aussi', 'arobase',
  'point', 'com', 'fr', 'tiret', 'underscore', 'veux', 'voudrais', 'souhaite', 'aimerais', 'dire', 'dis', 'ici',
  'la', 'le', 'l', 'de', 'du', 'des', 'y', 'ai', 'avez', 'peux', 'pouvez', 'contact', 'contacter', 'appel',
  'appeler', 'rappel', 'demande', 'information', 'informations', 'besoin', 'aide', 'domicile', 'cabinet', 'visio',
  'heure', 'heures', 'demain', 'aujourd', 'hui', 'matin', 'soir', 'semaine', 'lundi', 'mardi', 'mercredi', 'jeudi',
  'vendredi', 'samedi', 'dimanche', 'madame', 'monsieur', 'mademoiselle', 'mme', 'mlle', 'mr', 'docteur', 'dr',
  'tout', 'rien', 'chose', 'bah', 'ben', 'bon', 'euh', 'heu', 'hum', 'voir', 'attendez', 'attends', 'excusez',
  'excuse', 'desole', 'desolee', 'correction', 'trompe', 'trompee', 'recommence', 'reprends', 'veut', 'note',
  'noter', 'prendre', 'interesse', 'interessee', 'client', 'cliente', 'nouveau', 'nouvelle', 'appareil', 'gmail',
  'hotmail', 'yahoo', 'orange', 'free', 'outlook', 'sfr', 'wanadoo', 'laposte', 'icloud', 'numéro', 'deux', 'points',
  'ca', 'cela', 'sa', 'son', 'ses', 'leur', 'dont', 'quand', 'comment', 'pourquoi', 'si', 'juste', 'exactement',
  'mari', 'femme', 'fils', 'fille', 'mere', 'pere', 'parle', 'parler', 'appelais', 'appelle', 'contactez',
]);

/** Honorifics skipped before a name ("Madame Dupont"): the name after them is a last name when alone. */
export const HONORIFICS: ReadonlySet<string> = new Set([
  'madame', 'monsieur', 'mademoiselle', 'mme', 'mlle', 'mr', 'm', 'docteur', 'dr', 'maitre',
]);

/** Particles that start a last name ("de la Fontaine", "d'Almeida", "van der Berg", "Ben Ali"). */
export const PARTICLES: ReadonlySet<string> = new Set(['de', 'du', 'des', 'van', 'von', 'der', 'den', 'di', 'da', 'dos', 'del', 'della', 'ben', 'ibn', 'el', 'al']);

/** Of those, the ones written in lower case inside a name ("de la Fontaine"; but "Ben Ali", "El Amrani"). */
export const LOWER_PARTICLES: ReadonlySet<string> = new Set(['de', 'du', 'des', 'van', 'von', 'der', 'den', 'di', 'da', 'dos', 'del', 'della']);

/** Malagasy family names are long and start with these (used only to notice a "last name first" dictation). */
export const MALAGASY_SURNAME = /^(ra|andria|razafi|randria|rakoto|rasoa|ranaivo|rabe|ratsima|rajao|ravelo|rasolo)[a-z]{4,}$/;
