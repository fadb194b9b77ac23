odoo.define('crm_opportunity_suite.list_delete', function (require) {
"use strict";

var core = require('web.core');
var ListController = require('web.ListController');
var session = require('web.session');

var _t = core._t;

/**
 * Sales users delete one opportunity at a time (to the trash); several at once is the sales
 * managers' (the server refuses it to anyone else). The list's Action -> Delete is offered to
 * a sales user only while a single row is ticked, instead of failing on the server.
 */
ListController.include({
    willStart: function () {
        var self = this;
        var def = this._super.apply(this, arguments);
        if (this.modelName !== 'crm.lead') {
            return def;
        }
        var group = session.user_has_group('sales_team.group_sale_manager').then(
            function (isManager) {
                self.cosDeleteOneAtATime = !isManager;
            });
        return $.when(def, group);
    },
    renderSidebar: function () {
        this._super.apply(this, arguments);
        if (this.sidebar && this.cosDeleteOneAtATime) {
            var label = _t('Delete');
            this.cosDeleteItem = _.find(this.sidebar.items.other, function (item) {
                return item.callback && item.label === label;
            });
            this._toggleSidebar();
        }
    },
    _toggleSidebar: function () {
        this._super.apply(this, arguments);
        var item = this.cosDeleteItem;
        if (item && this.sidebar) {
            var classname = this.selectedRecords.length > 1 ? 'hidden' : undefined;
            if (item.classname !== classname) {
                item.classname = classname;
                this.sidebar._redraw();
            }
        }
    },
});

});
