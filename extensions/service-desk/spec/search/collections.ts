// The service desk's search configuration (issue 12, decision 0039): rows of the platform's search_collections,
// carried by snapshots as configuration data. Titles weigh most; only ticket subjects and article titles get a
// trigram index for typo tolerance (short text: a trigram index on long bodies costs more than it finds).
export const searchCollections = [
  {
    collection: 'tickets',
    language: 'english',
    fields: [
      { field: 'subject', weight: 'A', typo: true },
      { field: 'description', weight: 'B' },
    ],
    result_fields: ['number', 'subject', 'status', 'priority', 'date_created'],
    facet_field: 'status',
  },
  {
    collection: 'ticket_messages',
    language: 'english',
    fields: [{ field: 'body', weight: 'C' }],
    result_fields: ['ticket', 'date_created'],
    facet_field: null,
  },
  {
    collection: 'kb_articles',
    language: 'english',
    fields: [
      { field: 'title', weight: 'A', typo: true },
      { field: 'summary', weight: 'B' },
      { field: 'body', weight: 'C' },
    ],
    result_fields: ['title', 'slug', 'summary', 'published_at'],
    facet_field: 'status',
  },
];
